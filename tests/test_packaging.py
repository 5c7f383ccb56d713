"""partcost installs one import package, ``partcost``: installing it beside a package with a
top-level ``sql`` (python-sql, Tryton's query builder) breaks neither, and removing it leaves the
other whole."""

import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("partcost-*.whl"))


def source_files() -> set:
    """Every module and SQL file of the checkout, named as it installs."""
    installed_as = {"engine": "partcost", "cli": "partcost/cli", "sql": "partcost/sql"}
    return {
        f"{installed_as[folder]}/{path.relative_to(ROOT / folder)}"
        for folder in installed_as
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_the_partcost_package_whole_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"partcost"}
    assert sorted(source_files() - names) == []
    assert "partcost/sql/recompute/load_timers.sql" in names


def fresh_venv(path: Path) -> Path:
    """A new environment whose only packages are what is installed into it, plus (through a .pth
    line) this environment's dependencies such as polars and psycopg2."""
    venv.create(path, with_pip=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


def run(python: Path, code: str) -> str:
    finished = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd="/")
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def test_installs_beside_a_package_with_a_top_level_sql_and_both_import(wheel, tmp_path):
    python = fresh_venv(tmp_path / "venv")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "python-sql", str(wheel)],
        check=True,
        capture_output=True,
    )
    both = (
        "from sql import Table; import partcost.cli.main, partcost.db.sql_files as s;"
        " print(str(Table('t').select()).split()[0]);"
        " print(s.sql_file('recompute/load_timers').startswith('--'));"
        f" print(partcost.cli.main.__file__.startswith({str(tmp_path)!r}))"
    )
    assert run(python, both).split() == ["SELECT", "True", "True"]

    subprocess.run(
        [python, "-m", "pip", "uninstall", "-q", "-y", "partcost"], check=True, capture_output=True
    )
    assert run(python, "from sql import Table; print(Table('t').select())").startswith("SELECT")
