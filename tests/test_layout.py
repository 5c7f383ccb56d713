"""The package's layout: every SQL file the code names exists, every SQL file is used, and nothing is
imported under the old top-level names ``engine``, ``cli`` or ``sql``."""

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import partcost
import partcost.cli

FORBIDDEN_TOP_LEVEL = ("engine", "cli", "sql")
# sql/room/name.sql, room/name.sql or name.sql in prose (not the package partcost.sql, nor a glob);
# "room/name" as the argument of sql_file
MENTIONED = re.compile(
    r"(?<![\w.*])(?!partcost\.sql\b)(?:sql/)?(?:(?P<room>[a-z_]+)/)?(?P<name>[a-z_]+)\.sql\b"
)
NAMED = re.compile(r"[\"'](?P<room>[a-z_]+)/(?P<name>[a-z_]+)[\"']")


def sql_files() -> dict:
    """'room/name' -> the file's text, for every file under partcost.sql."""
    root = resources.files("partcost.sql")
    return {
        f"{room.name}/{file.name[:-4]}": file.read_text(encoding="utf-8")
        for room in root.iterdir()
        if room.is_dir() and not room.name.startswith("__")
        for file in room.iterdir()
        if file.name.endswith(".sql")
    }


def python_sources() -> dict:
    folders = [Path(partcost.__file__).parent, Path(partcost.cli.__file__).parent]
    return {path: path.read_text(encoding="utf-8") for folder in folders for path in folder.rglob("*.py")}


def mentions(text: str, room_of_text: str = None) -> set:
    """The 'room/name' of every SQL file a text mentions; a bare name.sql is looked up beside it."""
    found = set()
    for match in MENTIONED.finditer(text):
        room = match["room"] or room_of_text
        found.add(f"{room}/{match['name']}" if room else match["name"])
    return found


def test_every_sql_file_the_code_or_a_statement_names_exists():
    files = sql_files()
    rooms = {name.split("/")[0] for name in files}
    missing = set()
    for path, text in python_sources().items():
        named = {f"{m['room']}/{m['name']}" for m in NAMED.finditer(text) if m["room"] in rooms}
        bare = {name for name in mentions(text) if "/" not in name}
        missing |= {f"{path.name}: {name}" for name in named | (mentions(text) - bare) if name not in files}
        missing |= {
            f"{path.name}: {name}.sql" for name in bare if not any(f.endswith("/" + name) for f in files)
        }
    for name, text in files.items():
        missing |= {
            f"{name}.sql: {other}" for other in mentions(text, name.split("/")[0]) if other not in files
        }
    assert not missing, sorted(missing)


def test_every_sql_file_is_used_by_the_code():
    code = "\n".join(python_sources().values())
    used = {f"{m['room']}/{m['name']}" for m in NAMED.finditer(code)}
    assert sorted(set(sql_files()) - used) == []


def test_no_module_is_imported_under_an_old_top_level_name():
    """Import every module of the package and run the command line, in a fresh interpreter (with
    Django set up just enough for partcost.django's modules)."""
    script = (
        "import django\n"
        "from django.conf import settings\n"
        "settings.configure(INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth',"
        " 'partcost.django'])\n"
        "django.setup()\n"
        "import pkgutil, importlib, sys, partcost\n"
        "for m in pkgutil.walk_packages(partcost.__path__, 'partcost.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "from click.testing import CliRunner\n"
        "from partcost.cli.main import partcost as command\n"
        "assert CliRunner().invoke(command, ['--help']).exit_code == 0\n"
        f"print(sorted(k for k in sys.modules if k.split('.')[0] in {FORBIDDEN_TOP_LEVEL!r}))\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd="/")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "[]"


def test_python_dash_m_partcost_is_the_command_line():
    finished = subprocess.run(
        [sys.executable, "-m", "partcost", "--help"], capture_output=True, text=True, cwd="/"
    )
    assert finished.returncode == 0, finished.stderr
    assert "Usage: partcost" in finished.stdout
