"""`partcost seed`: deterministic, realistic pre-migration data with the traps the night must survive."""

import hashlib
import io

import psycopg2
import pytest
from click.testing import CliRunner

from partcost.cli.main import partcost
from partcost.db.catalogue import content_type_id
from partcost.tools.seed import AWKWARD_KEYS, SeedOptions, seed
from tests.conftest import TEMPLATE
from tests.db.test_schema import layout

SEEDED_TABLES = (
    "auth_user",
    "machining_task",
    "tasks_timer",
    "machining_jobcostagg",
    "machining_jobcostagguser",
    "tasks_part",
    "tasks_operation",
    "tasks_partcostagg",
    "tasks_partcostaguser",
    "tasks_partcostrecalcqueue",
    "users_wagerate",
    "core_currencyratesnapshot",
)
LOCAL = "to_timestamp({} / 1000.0) AT TIME ZONE 'Europe/Istanbul'"


@pytest.fixture
def other_dsn(pg):
    """A second fresh database with the full layout."""
    name = pg.create_database(TEMPLATE)
    yield pg.dsn(name)
    pg.drop_database(name)


@pytest.fixture
def seeded(conn):
    seed(conn, SeedOptions(tasks=300, seed=7))
    return conn


def fingerprint(dsn: str) -> dict:
    """A hash of every seeded table's rows, in a stable order."""
    hashes = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        for table in SEEDED_TABLES:
            dump = io.BytesIO()
            cur.copy_expert(f"COPY (SELECT * FROM {table} t ORDER BY t::text) TO STDOUT", dump)
            hashes[table] = hashlib.sha256(dump.getvalue()).hexdigest()
    return hashes


def one(conn, query: str, params=None):
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


def run_seed(dsn, *options):
    return CliRunner().invoke(partcost, ["--dsn", dsn, "seed", *options])


def test_the_same_seed_gives_the_same_rows(dsn, other_dsn):
    assert run_seed(dsn, "--tasks", "200", "--seed", "3").exit_code == 0
    assert run_seed(other_dsn, "--tasks", "200", "--seed", "3").exit_code == 0
    assert fingerprint(dsn) == fingerprint(other_dsn)


def test_another_seed_gives_other_rows(dsn, other_dsn):
    run_seed(dsn, "--tasks", "200", "--seed", "3")
    run_seed(other_dsn, "--tasks", "200", "--seed", "4")
    first, second = fingerprint(dsn), fingerprint(other_dsn)
    assert first["tasks_timer"] != second["tasks_timer"]
    assert first["machining_task"] != second["machining_task"]


def test_seed_reports_what_it_wrote(dsn):
    result = run_seed(dsn, "--tasks", "100", "--timers-per-task", "3", "--users", "7")
    assert result.exit_code == 0, result.output
    assert "machining_task" in result.output and "tasks_timer" in result.output
    assert "seeded" in result.output and " s" in result.output.splitlines()[-1]
    with psycopg2.connect(dsn) as conn:
        assert one(conn, "SELECT count(*) FROM machining_task") == 100
        assert one(conn, "SELECT count(*) FROM auth_user") == 7
        timers = one(
            conn,
            "SELECT count(*) FROM tasks_timer WHERE content_type_id = %s",
            (content_type_id(conn, "machining", "task"),),
        )
    assert 200 < timers < 400  # three per task on average


def test_seed_refuses_a_database_that_already_has_data(dsn):
    run_seed(dsn, "--tasks", "50")
    again = run_seed(dsn, "--tasks", "50")
    assert again.exit_code == 2
    assert "Error: the database already holds 50 machining tasks" in again.output


def test_seed_leaves_the_layout_as_it_found_it(conn):
    before = layout(conn)
    seed(conn, SeedOptions(tasks=100))
    assert layout(conn) == before


def test_seed_works_before_the_phase_2_upgrade(dsn_before_upgrade):
    result = run_seed(dsn_before_upgrade, "--tasks", "100")
    assert result.exit_code == 0, result.output
    assert "tasks_partcostagg" not in result.output
    with psycopg2.connect(dsn_before_upgrade) as conn:
        assert one(conn, "SELECT count(*) FROM tasks_part") > 0


def test_awkward_keys_exist_and_their_timers_point_at_them(seeded):
    task_type = content_type_id(seeded, "machining", "task")
    assert one(
        seeded, "SELECT count(*) FROM machining_task WHERE key = ANY(%s)", (list(AWKWARD_KEYS),)
    ) == len(AWKWARD_KEYS)
    assert one(seeded, "SELECT max(length(key)) FROM machining_task") == 252
    assert one(seeded, "SELECT count(*) FROM machining_task WHERE key = %s", ("Ç-ş 12",)) == 1
    assert (
        one(
            seeded,
            "SELECT count(*) FROM tasks_timer t WHERE content_type_id = %s AND NOT EXISTS"
            " (SELECT 1 FROM machining_task WHERE key = t.object_id)",
            (task_type,),
        )
        == 0
    )


def test_no_timer_is_running_unless_asked(seeded):
    assert one(seeded, "SELECT count(*) FROM tasks_timer WHERE finish_time IS NULL") == 0


def test_active_timers_can_be_asked_for(dsn):
    assert run_seed(dsn, "--tasks", "100", "--active-timers", "3").exit_code == 0
    with psycopg2.connect(dsn) as conn:
        assert one(conn, "SELECT count(DISTINCT object_id) FROM tasks_timer WHERE finish_time IS NULL") == 3


def test_odd_timers_exist(seeded):
    assert one(seeded, "SELECT count(*) FROM tasks_timer WHERE finish_time = start_time") >= 2
    assert one(seeded, "SELECT count(*) FROM tasks_timer WHERE finish_time < start_time") >= 2
    assert one(seeded, "SELECT count(*) FROM tasks_timer WHERE finish_time - start_time > 86400000") >= 2
    assert one(seeded, "SELECT count(*) FROM tasks_timer WHERE start_time % 1000 <> 0") > 0


def test_timers_look_like_shift_work_in_istanbul(seeded):
    start, finish = LOCAL.format("start_time"), LOCAL.format("finish_time")
    morning_share = one(
        seeded, f"SELECT avg((({start})::time BETWEEN '07:00' AND '08:00')::int) FROM tasks_timer"
    )
    assert morning_share > 0.4
    assert one(seeded, f"SELECT count(*) FROM tasks_timer WHERE ({finish})::date > ({start})::date") > 0
    assert one(seeded, f"SELECT count(*) FROM tasks_timer WHERE extract(isodow FROM {start}) = 7") > 0
    assert one(seeded, f"SELECT count(*) FROM tasks_timer WHERE extract(isodow FROM {start}) = 6") > 0


def test_completed_tasks_still_in_plan_exist(seeded):
    assert (
        one(
            seeded,
            "SELECT count(*) FROM machining_task"
            " WHERE completion_date IS NOT NULL AND in_plan AND plan_order IS NOT NULL",
        )
        > 0
    )


def test_fx_snapshots_have_gaps_and_days_without_eur(seeded):
    assert one(seeded, "SELECT count(*) FROM core_currencyratesnapshot WHERE NOT rates ? 'EUR'") > 0
    assert (
        one(seeded, "SELECT count(*) FROM core_currencyratesnapshot WHERE extract(isodow FROM date) >= 6")
        == 0
    )
    assert one(seeded, "SELECT count(*) FROM core_currencyratesnapshot WHERE base <> 'TRY'") == 0


def test_wage_histories_vary(seeded):
    versions = "SELECT count(*) FROM users_wagerate w WHERE w.user_id = u.id"
    assert one(seeded, f"SELECT count(*) FROM auth_user u WHERE ({versions}) = 0") > 0
    assert one(seeded, f"SELECT count(*) FROM auth_user u WHERE ({versions}) >= 2") > 0
    assert (
        one(
            seeded,
            """
        SELECT count(*) FROM auth_user u
        WHERE (SELECT min(effective_from) FROM users_wagerate WHERE user_id = u.id)
            > (SELECT min(to_timestamp(start_time / 1000.0))::date FROM tasks_timer WHERE user_id = u.id)""",
        )
        > 0
    )


def test_old_cost_rows_exist_for_most_tasks(seeded):
    tasks_with_costs = one(seeded, "SELECT count(*) FROM machining_jobcostagg")
    assert 0.7 * 300 < tasks_with_costs < 300
    assert one(seeded, "SELECT count(*) FROM machining_jobcostagguser") >= tasks_with_costs
    assert one(seeded, "SELECT max(length(job_no_cached)) FROM machining_jobcostagg") <= 100


def test_native_parts_have_ordered_operations_and_their_own_timers(seeded):
    operation_type = content_type_id(seeded, "tasks", "operation")
    assert one(seeded, "SELECT \"order\" FROM tasks_operation WHERE key = 'PT-001-OP-1'") == 1
    assert one(seeded, "SELECT part_id FROM tasks_operation WHERE key = 'PT-001-OP-1'") == "PT-001"
    assert (
        one(
            seeded,
            "SELECT count(*) FROM tasks_timer t WHERE content_type_id = %s AND EXISTS"
            " (SELECT 1 FROM tasks_operation WHERE key = t.object_id)",
            (operation_type,),
        )
        > 0
    )
    assert one(
        seeded, "SELECT count(*) FROM tasks_timer WHERE content_type_id = %s", (operation_type,)
    ) == one(
        seeded,
        "SELECT count(*) FROM tasks_timer t WHERE content_type_id = %s AND EXISTS"
        " (SELECT 1 FROM tasks_operation WHERE key = t.object_id)",
        (operation_type,),
    )


DJANGO_MACHINES = """
CREATE TABLE machines_machine (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    code varchar(8) NOT NULL,
    is_active boolean NOT NULL,
    capacity numeric(8, 2) NOT NULL,
    properties jsonb NOT NULL,
    commissioned date NOT NULL,
    created_at timestamptz NOT NULL,
    note text NULL
);
CREATE TABLE machines_downtimereason (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    label varchar(50) NOT NULL
);
ALTER TABLE machining_task ADD CONSTRAINT machining_task_machine_fk FOREIGN KEY (machine_fk_id)
    REFERENCES machines_machine (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE tasks_operation ADD CONSTRAINT tasks_operation_machine_fk FOREIGN KEY (machine_fk_id)
    REFERENCES machines_machine (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE tasks_timer ADD CONSTRAINT tasks_timer_machine_fk FOREIGN KEY (machine_fk_id)
    REFERENCES machines_machine (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE tasks_timer ADD CONSTRAINT tasks_timer_downtime_reason_fk FOREIGN KEY (downtime_reason_id)
    REFERENCES machines_downtimereason (id) DEFERRABLE INITIALLY DEFERRED;
INSERT INTO machines_machine (id, name, code, is_active, capacity, properties, commissioned, created_at)
VALUES (70, 'Mazak QTN-200', 'MZK1', true, 1, '{}', '2019-05-01', now()),
       (71, 'DMG Mori NLX', 'DMG1', true, 1, '{}', '2020-02-01', now());
"""


def test_seed_fills_the_references_django_s_machine_tables_demand(conn, dsn):
    with conn.cursor() as cur:
        cur.execute(DJANGO_MACHINES)
    conn.commit()

    result = run_seed(dsn, "--tasks", "60")

    assert result.exit_code == 0, result.output
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM machines_machine WHERE id >= 70 ORDER BY id")
        assert cur.fetchall() == [(70, "Mazak QTN-200"), (71, "DMG Mori NLX")], (
            "existing ones are used as they are"
        )
    assert one(conn, "SELECT count(*) FROM machines_machine") == SeedOptions(tasks=60).machines, (
        "the rest are made, every NOT NULL column given a value"
    )
    assert one(conn, "SELECT count(DISTINCT machine_fk_id) FROM tasks_timer WHERE machine_fk_id >= 70") == 2
    used = (
        "SELECT machine_fk_id FROM machining_task UNION SELECT machine_fk_id FROM tasks_operation"
        " UNION SELECT machine_fk_id FROM tasks_timer"
    )
    assert (
        one(
            conn,
            f"SELECT count(*) FROM ({used}) AS u WHERE machine_fk_id NOT IN (SELECT id FROM machines_machine)",
        )
        == 0
    )
    assert one(conn, "SELECT count(*) FROM machines_downtimereason") == 1


def test_a_referenced_table_seed_cannot_fill_is_named_and_nothing_is_written(conn, dsn):
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE machines_machine (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            " footprint point NOT NULL);"
            " ALTER TABLE machining_task ADD FOREIGN KEY (machine_fk_id) REFERENCES machines_machine (id)"
        )
    conn.commit()

    result = run_seed(dsn, "--tasks", "20")

    assert result.exit_code == 2
    assert (
        "Error: seed cannot make a row of machines_machine: no value for its NOT NULL column footprint"
        " (point)"
    ) in result.output
    assert one(conn, "SELECT count(*) FROM auth_user") == 0
