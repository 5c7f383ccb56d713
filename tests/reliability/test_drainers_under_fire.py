"""Two drain-queue processes while the app keeps changing timers and bumping their parts.

The app's side is what the Django app does: in one transaction, insert a finished timer, start one,
or finish a running one, and bump the part in tasks_partcostrecalcqueue. It runs for
PARTCOST_SOAK_SECONDS (default 8, short enough for CI; 20 for a full soak). When the app stops and the queue
is empty, every part's rows must equal a full exact recompute: no bump lost."""

import os
import random
import signal
import time
from contextlib import closing

import psycopg2

from tests.support.builder import Builder
from tests.support.cost_checks import assert_equals_reference
from tests.support.processes import start, wait_for
from tests.support.recompute_runs import recompute

SOAK_SECONDS = float(os.environ.get("PARTCOST_SOAK_SECONDS", "8"))
BUMP = (
    "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES (%s, now())"
    " ON CONFLICT (part_id) DO UPDATE SET enqueued_at = now()"
)


class App:
    """The app's timer changes, each with its part's bump in the same transaction."""

    def __init__(self, dsn: str, seed: int):
        self.conn = psycopg2.connect(dsn, application_name="reliability test app")
        self.build = Builder(self.conn)
        self.draw = random.Random(seed)
        with self.conn.cursor() as cur:
            cur.execute("SELECT key, part_id FROM tasks_operation")
            self.operations = cur.fetchall()
            cur.execute("SELECT id FROM auth_user")
            self.users = [row[0] for row in cur.fetchall()]
        self.running = []  # (timer id, part)
        self.changes = 0

    def change_something(self) -> None:
        operation, part = self.draw.choice(self.operations)
        start = f"2024-03-{self.draw.randint(4, 12):02} {self.draw.randint(5, 20):02}:{self.draw.randint(0, 59):02}"
        if self.running and self.draw.random() < 0.3:
            timer, part = self.running.pop(self.draw.randrange(len(self.running)))
            with self.conn.cursor() as cur:
                cur.execute(
                    "UPDATE tasks_timer SET finish_time = start_time + %s WHERE id = %s",
                    (self.draw.randint(1, 6 * 3600_000), timer),
                )
        elif self.draw.random() < 0.3:
            self.running.append((self.build.timer(self.draw.choice(self.users), operation, start), part))
        else:
            finish = f"2024-03-{int(start[8:10]) + self.draw.randint(0, 1):02} {self.draw.randint(0, 23):02}:05:30.5"
            self.build.timer(self.draw.choice(self.users), operation, start, finish)
        with self.conn.cursor() as cur:
            cur.execute(BUMP, (part,))
        self.conn.commit()
        self.changes += 1

    def close(self) -> None:
        self.conn.close()


def queue_length(dsn: str) -> int:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM tasks_partcostrecalcqueue")
        return cur.fetchone()[0]


def test_no_bump_is_lost_while_two_drainers_run(dsn, factory, tmp_path):
    recompute(dsn)
    drainers = [
        start(
            dsn,
            "drain-queue",
            "--workers",
            "1",
            "--batch-size",
            "5",
            "--interval",
            "0.1",
            "--stop-file",
            str(tmp_path / f"stop-{n}"),
        )
        for n in range(2)
    ]
    for drainer in drainers:
        drainer.wait_for_line("Draining the recompute queue")
    app = App(dsn, seed=6)
    try:
        deadline = time.monotonic() + SOAK_SECONDS
        while time.monotonic() < deadline:
            app.change_something()
            time.sleep(0.005)
    finally:
        app.close()
    wait_for(lambda: queue_length(dsn) == 0, "the drainers to empty the queue")
    for drainer in drainers:
        drainer.signal(signal.SIGTERM)
    results = [drainer.finish() for drainer in drainers]

    assert app.changes > 100
    for status, output in results:
        assert status == 0, output
        assert "Progress:" in output  # each drainer did real work
    assert_equals_reference(dsn)
