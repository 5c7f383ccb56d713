"""The embedded server of a home: started by several partcost commands at once, sized to the machine."""

import os
import subprocess
import sys

import psycopg2
import pytest

from partcost.server.embedded import EmbeddedServer, machine_memory, memory_settings

GiB = 1024**3


def test_commands_starting_a_fresh_home_at_once_share_one_server(tmp_path):
    env = dict(os.environ, PARTCOST_HOME=str(tmp_path / "home"))
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "partcost", "db", "start"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        outputs = [(process.wait(timeout=180), process.stdout.read()) for process in starts]
        assert [status for status, _ in outputs] == [0, 0, 0], outputs
        server = EmbeddedServer(tmp_path / "home" / "pgdata")
        assert server.is_running()
    finally:
        EmbeddedServer(tmp_path / "home" / "pgdata").stop()
    assert not server.is_running()


def test_the_server_s_memory_follows_the_machine_within_bounds():
    assert memory_settings(2 * GiB) == {
        "shared_buffers": "512MB",
        "work_mem": "64MB",
        "maintenance_work_mem": "256MB",
    }
    assert memory_settings(24 * GiB) == {
        "shared_buffers": "6144MB",
        "work_mem": "256MB",
        "maintenance_work_mem": "768MB",
    }
    assert memory_settings(256 * GiB)["shared_buffers"] == "8192MB"


def test_a_fresh_embedded_server_runs_with_the_memory_settings_of_this_machine(embedded_server):
    if embedded_server is None:
        pytest.skip("PARTCOST_TEST_DSN names another server")
    expected = memory_settings(machine_memory())
    with psycopg2.connect(embedded_server.url("postgres")) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, pg_size_bytes(current_setting(name)) / 1048576 || 'MB' FROM unnest(%s::text[]) AS name",
            (list(expected),),
        )
        assert dict(cursor.fetchall()) == expected
    connection.close()
