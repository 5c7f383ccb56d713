"""`partcost demo`: the whole night on a fresh embedded database, and never on a named one."""

import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from partcost.cli.main import partcost
from partcost.server.embedded import EmbeddedServer


@pytest.mark.parametrize("how", ["--dsn", "PARTCOST_DSN", "DATABASE_URL"])
def test_demo_refuses_a_named_database(monkeypatch, how):
    for name in ("PARTCOST_DSN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    dsn = "postgresql://factory:secret@db.example/production"
    if how == "--dsn":
        result = CliRunner().invoke(partcost, ["--dsn", dsn, "demo"])
    else:
        monkeypatch.setenv(how, dsn)
        result = CliRunner().invoke(partcost, ["demo"])
    assert result.exit_code == 2
    assert f"runs only on the embedded default; a database was named by {how}" in result.output
    assert "secret" not in result.output


@pytest.fixture
def partcost_home(monkeypatch):
    """An empty $PARTCOST_HOME and no DSN in the environment: the demo's own embedded server."""
    home = Path(tempfile.mkdtemp(prefix="partcost-demo-"))
    for name in ("PARTCOST_DSN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTCOST_HOME", str(home))
    yield home
    EmbeddedServer(home / "pgdata").stop()
    shutil.rmtree(home, ignore_errors=True)


def test_demo_runs_on_a_fresh_embedded_database(partcost_home):
    runner = CliRunner()
    first = runner.invoke(partcost, ["demo", "--tasks", "150"])
    assert first.exit_code == 0, first.output
    assert "schema create" in first.output and "seed" in first.output
    assert "150 tasks" in first.output
    assert "NIGHT RUN COMPLETE" in first.output
    assert "[x] Cost calculations run successfully" in first.output
    assert len(list((partcost_home / "reports").glob("night-run-*.json"))) == 1
    assert len(list((partcost_home / "backups").glob("backup_migration_*.dump"))) == 1
    assert "demo finished in" in first.output
    # A second run starts again from an empty database instead of failing on the first one's rows.
    second = runner.invoke(partcost, ["demo", "--tasks", "120"])
    assert second.exit_code == 0, second.output
    rows = dict(line.split() for line in second.output.splitlines() if line.startswith("  machining_"))
    assert rows["machining_task"] == "120"
