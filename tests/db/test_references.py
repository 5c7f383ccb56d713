"""Foreign keys checked set-based (partcost.db.references): the same refusals and locks as Django's row
triggers, and the triggers kept wherever switching them off would switch off more than those checks."""

import itertools
import os

import psycopg2
import pytest
from psycopg2 import sql

from partcost.db.references import MissingReference, ReferenceChecks
from tests.support.migration_runs import run, small_factory

COST_ROW = (
    "INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww, hours_ah,"
    " hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)"
    " VALUES (%s, %s, '', 'EUR', 0, 0, 0, 0, 0, 0, 0, now())"
)
_roles = itertools.count(1)


def other_connection(dsn):
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute("SET lock_timeout = '200ms'")
    return conn


def test_a_reference_to_no_row_is_refused_with_the_table_column_and_value(conn, build):
    part = build.part("PT-1")
    build.commit()
    checks = ReferenceChecks(conn, ["tasks_partcostaguser"])
    assert checks.enabled  # the test server's role is a superuser

    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        cur.execute(COST_ROW, (part, 999999))
        with pytest.raises(MissingReference) as refusal:
            checks.check(cur, "tasks_partcostaguser")

    assert refusal.value.message == (
        "tasks_partcostaguser.user_id = 999999: no such row in auth_user"
        " (foreign key tasks_partcostaguser_user_id_fk_auth_user_id)"
    )
    conn.rollback()


def test_the_referenced_rows_stay_locked_until_commit_as_the_triggers_would_leave_them(dsn, conn, build):
    part, worker = build.part("PT-1"), build.user("worker")
    build.commit()
    checks = ReferenceChecks(conn, ["tasks_partcostaguser"])
    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        cur.execute(COST_ROW, (part, worker))
        checks.check(cur, "tasks_partcostaguser")

    other = other_connection(dsn)
    with pytest.raises(psycopg2.errors.LockNotAvailable), other.cursor() as cur:
        cur.execute("DELETE FROM auth_user WHERE id = %s", (worker,))
    other.rollback()
    conn.commit()
    with pytest.raises(psycopg2.errors.ForeignKeyViolation), other.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("DELETE FROM auth_user WHERE id = %s", (worker,))
    other.close()


def test_the_switch_lasts_one_transaction(conn):
    checks = ReferenceChecks(conn, ["tasks_partcostaguser"])
    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        conn.commit()
        cur.execute(COST_ROW, ("no such part", 999999))
        with pytest.raises(psycopg2.errors.ForeignKeyViolation):
            conn.commit()


def test_a_table_with_a_trigger_of_its_own_keeps_its_triggers(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'")
        cur.execute(
            "CREATE TRIGGER audit BEFORE INSERT ON tasks_partcostagg FOR EACH ROW EXECUTE FUNCTION audit()"
        )
    conn.commit()

    assert not ReferenceChecks(conn, ["tasks_partcostagg"]).enabled
    assert ReferenceChecks(conn, ["tasks_partcostaguser"]).enabled


def test_a_deferrable_unique_constraint_keeps_the_triggers_and_refuses_a_duplicate(conn, build):
    """Replica mode would also switch off the recheck trigger of a DEFERRABLE unique constraint."""
    part, worker = build.part("PT-1"), build.user("worker")
    with conn.cursor() as cur:
        cur.execute(
            "ALTER TABLE tasks_partcostaguser DROP CONSTRAINT tasks_partcostaguser_part_id_user_id_uniq,"
            " ADD CONSTRAINT tasks_partcostaguser_part_id_user_id_uniq UNIQUE (part_id, user_id)"
            " DEFERRABLE INITIALLY DEFERRED"
        )
    build.commit()

    checks = ReferenceChecks(conn, ["tasks_partcostaguser"])

    assert not checks.enabled
    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        cur.execute(COST_ROW, (part, worker))
        cur.execute(COST_ROW, (part, worker))
        with pytest.raises(psycopg2.errors.UniqueViolation):
            conn.commit()


def test_deleting_from_a_referenced_table_keeps_the_triggers(conn):
    assert not ReferenceChecks(conn, ["tasks_part"], deletes_from=["tasks_part"]).enabled
    assert ReferenceChecks(conn, ["tasks_part"]).enabled


@pytest.fixture
def role(dsn, conn):
    """A login role that may write tasks_partcostaguser, and ``grant(statement)`` to give it more."""
    name = f"partcost_plain_{os.getpid()}_{next(_roles)}"

    def grant(statement):
        with conn.cursor() as cur:
            cur.execute(sql.SQL(statement).format(role=sql.Identifier(name)))
        conn.commit()

    grant("CREATE ROLE {role} LOGIN")
    grant("GRANT SELECT, INSERT ON tasks_partcostaguser TO {role}")
    yield psycopg2.extensions.make_dsn(dsn, user=name), grant
    grant("DROP OWNED BY {role}; DROP ROLE {role}")


@pytest.fixture
def ordinary_dsn(role):
    return role[0]


def test_one_updatable_column_of_each_referenced_table_is_enough_to_lock_its_rows(role, build):
    """FOR KEY SHARE asks for UPDATE on any one column: the role may not touch a password."""
    part, worker = build.part("PT-1"), build.user("worker")
    build.commit()
    role_dsn, grant = role
    grant("GRANT SET ON PARAMETER session_replication_role TO {role}")
    grant("GRANT SELECT (key), UPDATE (key) ON tasks_part TO {role}")
    grant("GRANT SELECT (id), UPDATE (id) ON auth_user TO {role}")
    conn = psycopg2.connect(role_dsn)

    checks = ReferenceChecks(conn, ["tasks_partcostaguser"])

    assert checks.enabled
    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        cur.execute(COST_ROW, (part, worker))
        checks.check(cur, "tasks_partcostaguser")
    conn.commit()
    with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = '' WHERE id = %s", (worker,))
    conn.close()


def test_a_role_that_may_not_read_a_referenced_column_keeps_the_triggers(role):
    role_dsn, grant = role
    grant("GRANT SET ON PARAMETER session_replication_role TO {role}")
    grant("GRANT UPDATE (name) ON tasks_part TO {role}")
    grant("GRANT SELECT (id), UPDATE (id) ON auth_user TO {role}")
    conn = psycopg2.connect(role_dsn)

    assert not ReferenceChecks(conn, ["tasks_partcostaguser"]).enabled
    conn.close()


def test_an_ordinary_role_keeps_the_triggers_and_check_does_nothing(ordinary_dsn):
    conn = psycopg2.connect(ordinary_dsn)
    checks = ReferenceChecks(conn, ["tasks_partcostaguser"])
    assert not checks.enabled
    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        cur.execute(COST_ROW, ("no such part", 999999))
        checks.check(cur, "tasks_partcostaguser")
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        conn.commit()
    conn.close()


def test_a_production_key_migrate_tasks_does_not_know_fails_only_its_task(dsn, build, conn):
    """Production has a machines table the tasks' machine numbers must exist in: the set-based
    check finds the one task whose machine does not, and the batch is redone task by task."""
    small_factory(build)  # machines 1, 2, 3
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE machines (id integer PRIMARY KEY); INSERT INTO machines VALUES (1), (3)")
        cur.execute(
            "ALTER TABLE tasks_operation ADD CONSTRAINT tasks_operation_machine_fk FOREIGN KEY"
            " (machine_fk_id) REFERENCES machines (id) DEFERRABLE INITIALLY DEFERRED"
        )
    conn.commit()

    result = run(dsn, "migrate-tasks")

    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert (
        len(failed) == 1
        and failed[0].startswith("✗ Failed M-002: ")
        and "tasks_operation_machine_fk" in failed[0]
    )
    with conn.cursor() as cur:
        cur.execute("SELECT task_key FROM tasks_part WHERE task_key IS NOT NULL ORDER BY 1")
        assert cur.fetchall() == [("M-001",), ("M-003",)]
