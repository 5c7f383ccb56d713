"""The embedded server of a home, started by several partcost commands at once."""

import os
import subprocess
import sys

from partcost.server.embedded import EmbeddedServer


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
