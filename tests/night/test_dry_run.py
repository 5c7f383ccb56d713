"""The night's dry run: the tasks rehearsed in two halves side by side, on two connections, finding
what one rehearsal of them all finds, and writing nothing."""

import threading

import psycopg2
import psycopg2.errors
import pytest

import partcost.night.run
from partcost.migration.migrate_tasks import Keys, middle_key, migrate_tasks
from partcost.night.run import _rehearse, _tally
from tests.support.migration_runs import small_factory, snapshot

KEYS = ("M-001", "M-002", "M-003", "M-004", "M-005", "M-006")


def one_rehearsal(dsn):
    with psycopg2.connect(dsn) as conn:
        return _tally(migrate_tasks(conn, dry_run=True))


def test_the_halves_find_what_one_rehearsal_of_every_task_finds(dsn, build, conn, monkeypatch):
    """A failure foreseen in the lower half (the key is already an operation's), a refusal nobody
    foresaw in the upper one (a running timer that cannot move: that batch is redone task by task)."""
    facts = small_factory(build, keys=KEYS)
    build.operation("M-002", "PT-001", order=2)
    build.timer(facts["worker"], "M-005", "2024-03-07 07:30", on="task", machine_fk_id=7)
    build.timer(facts["worker"], "M-005", "2024-03-07 07:31", machine_fk_id=7)  # already on "operation" M-005
    build.commit()
    before = snapshot(dsn)
    halves = []

    def recorded(conn, **options):
        halves.append((options["keys"], threading.current_thread() is threading.main_thread()))
        return migrate_tasks(conn, **options)

    monkeypatch.setattr(partcost.night.run, "migrate_tasks", recorded)
    rehearsed = _rehearse(dsn)

    assert middle_key(conn) == "M-003"
    assert sorted(halves, key=str) == [(Keys(after="M-003"), False), (Keys(until="M-003"), True)]
    assert snapshot(dsn) == before
    assert rehearsed.migrated == 4 and [key for key, _ in rehearsed.failed] == ["M-002", "M-005"]
    assert rehearsed == one_rehearsal(dsn)


def test_without_a_second_connection_the_halves_are_rehearsed_one_after_the_other(
    dsn, build, no_second_connection
):
    small_factory(build, keys=KEYS)
    build.operation("M-002", "PT-001", order=2)
    build.commit()

    rehearsed = _rehearse(dsn)

    assert rehearsed.migrated == 5 and [key for key, _ in rehearsed.failed] == ["M-002"]
    assert rehearsed == one_rehearsal(dsn)


def test_with_no_task_there_is_one_rehearsal_of_nothing(dsn):
    assert _rehearse(dsn) == one_rehearsal(dsn) == partcost.night.run.TaskCounts()


def test_a_stopped_run_ends_before_its_next_batch_and_redoes_no_refused_batch_task_by_task(dsn, build, conn):
    """What a half beside the caller's does once the caller has left on an error (Ctrl-C): it stops
    where it is instead of going through a refused batch one task at a time."""
    facts = small_factory(build)
    build.timer(facts["worker"], "M-002", "2024-03-07 07:30", on="task", machine_fk_id=7)
    build.timer(facts["worker"], "M-002", "2024-03-07 07:31", machine_fk_id=7)
    build.commit()

    assert list(migrate_tasks(conn, dry_run=True, stopped=lambda: True)) == []
    asked = iter([False, True])  # before the batch: go on; once the batch is refused: stopped
    with pytest.raises(psycopg2.errors.UniqueViolation):
        list(migrate_tasks(conn, dry_run=True, stopped=lambda: next(asked)))
