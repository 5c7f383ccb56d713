"""Security: passwords never printed, hostile keys never executed, a least-privilege role that
can run recompute and drain-queue (and is told exactly which privilege it lacks), and an embedded
server no other OS user can reach."""

import itertools
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import click
import psycopg2
import pytest
from psycopg2 import sql

from partcost.cli.main import partcost
from partcost.db.references import ReferenceChecks
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.recompute.scope import LOCK_SLOTS
from partcost.recompute.worker import DELETED_FROM, WRITTEN_TABLES
from partcost.server.embedded import EmbeddedServer
from tests.support.cost_checks import assert_equals_reference, cost_tables
from tests.support.processes import ROOT, Partcost, holding_slots, run, start

PASSWORD = "S3cretPW"
DSN_FORMS = {
    "--dsn URI": {"args": ["--dsn", f"postgresql://u:{PASSWORD}@127.0.0.1:1/x"], "env": {}},
    "PARTCOST_DSN key=value": {
        "args": [],
        "env": {"PARTCOST_DSN": f"host=127.0.0.1 port=1 user=u password={PASSWORD} dbname=x"},
    },
}
REQUIRED_ARGS = {("seed",): ["--tasks", "10"], ("restore",): ["missing.dump", "--yes"]}


def leaf_commands(group: click.Group = partcost, path=()) -> list:
    """Every command path of ``partcost --help`` (subgroups walked), so new commands are covered too."""
    paths = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += leaf_commands(command, path + (name,))
        else:
            paths.append(path + (name,))
    return paths


def test_no_command_prints_the_password_of_its_dsn(tmp_path):
    runs = {}
    for (form, dsn), command in itertools.product(DSN_FORMS.items(), leaf_commands()):
        args = [*dsn["args"], *command, *REQUIRED_ARGS.get(command, [])]
        env = {"PARTCOST_HOME": str(tmp_path / "home"), **dsn["env"]}
        runs[form, command] = Partcost(*args, cwd=tmp_path, env=env)
    assert len(runs) >= 2 * 10
    try:
        for (form, command), process in runs.items():
            _, output = process.finish(timeout=120)
            assert PASSWORD not in output, f"{' '.join(command)} ({form}) printed the password:\n{output}"
            assert "Traceback" not in output, output
    finally:  # `db start` ignores the DSN and starts the embedded server in PARTCOST_HOME
        EmbeddedServer(tmp_path / "home" / "pgdata").stop()


# -- hostile keys ---------------------------------------------------------------------------------

HOSTILE_KEYS = [
    "'); drop table x; --",
    'O\'Brien "quoted"',
    "tab\there",
    "new\nline",
    "back\\slash \\N",
    "\\.",
    "Ç-ş 12 ğüöı",
    "%s %(name)s {0}",
    "K" * 255,
]


def test_hostile_keys_are_data_never_sql(dsn, build, conn):
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE x (canary int)")
    worker = build.user("'); drop table x; --")
    build.wage(worker, "2024-01-01", 30000)
    build.fx("2024-01-01", 0.0281)
    for n, key in enumerate(HOSTILE_KEYS):
        build.part(key, job_no=key[:100])
        operation = build.operation(f"{key}-OP"[-255:], key)
        build.timer(worker, operation, "2024-03-04 07:00", f"2024-03-04 {10 + n % 8}:15")
    build.commit()

    status, output = run(dsn, "recompute", "--workers", "2", "--partitions", "4")
    assert status == 0, output
    assert_equals_reference(dsn)
    with conn.cursor() as cur:
        cur.execute("UPDATE tasks_timer SET finish_time = finish_time + 60000")
        cur.executemany(
            "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES (%s, now())",
            [(key,) for key in HOSTILE_KEYS],
        )
    conn.commit()
    status, output = run(dsn, "drain-queue", "--once", "--workers", "1")
    assert status == 0, output
    assert_equals_reference(dsn)
    part_key_args = [arg for key in HOSTILE_KEYS[:3] for arg in ("--part-key", key)]
    status, output = run(dsn, "recompute", *part_key_args)
    assert status == 0, output
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('x') IS NOT NULL")
        assert cur.fetchone()[0], "table x was dropped"


# -- least privilege ------------------------------------------------------------------------------

# The README's "Least privilege" GRANTs, with the role and database as placeholders.
GRANTS = [
    "GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role};",
    "GRANT USAGE ON SCHEMA public TO {role};",
    "GRANT SELECT ON django_content_type, tasks_part, tasks_operation, tasks_timer, users_wagerate,"
    " core_currencyratesnapshot TO {role};",
    "GRANT SELECT (id) ON auth_user TO {role};",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON tasks_partcostagg, tasks_partcostaguser TO {role};",
    "GRANT SELECT, DELETE, UPDATE (enqueued_at) ON tasks_partcostrecalcqueue TO {role};",
    "GRANT SELECT, INSERT, UPDATE (status, finished_at) ON partcost_recompute_run TO {role};",
    "GRANT SELECT, INSERT ON partcost_recompute_partition TO {role};",
]
# The README's GRANTs for the set-based foreign-key checks: locking a referenced row FOR KEY SHARE
# takes UPDATE on any one of its columns.
SET_BASED_GRANTS = [
    "GRANT SET ON PARAMETER session_replication_role TO {role};",
    "GRANT UPDATE (id) ON auth_user TO {role};",
    "GRANT UPDATE (key) ON tasks_part TO {role};",
]
_roles = itertools.count(1)


def execute(conn, template: str, **identifiers) -> None:
    with conn.cursor() as cur:
        cur.execute(sql.SQL(template).format(**{k: sql.Identifier(v) for k, v in identifiers.items()}))
    conn.commit()


@pytest.fixture
def night_role(dsn, conn, factory):
    """A login role holding exactly the README's GRANTs; the ledger created beforehand by the owner."""
    role = f"partcost_night_{os.getpid()}_{next(_roles)}"
    database = conn.get_dsn_parameters()["dbname"]
    execute(conn, "CREATE ROLE {role} LOGIN", role=role)
    execute(conn, "REVOKE ALL ON DATABASE {database} FROM PUBLIC", database=database)
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/ledger_create"))
    conn.commit()
    for grant in GRANTS:
        execute(conn, grant, role=role, database=database)
    yield role, psycopg2.extensions.make_dsn(dsn, user=role)
    execute(conn, "DROP OWNED BY {role}", role=role)
    execute(conn, "DROP ROLE {role}", role=role)


def test_the_readme_lists_these_grants():
    readme = (Path(ROOT) / "README.md").read_text()
    for grant in GRANTS + SET_BASED_GRANTS:
        assert grant.format(role="partcost_night", database="factory") in readme


def assert_recompute_and_drain_queue_are_exact_as(role_dsn: str, dsn: str, conn) -> None:
    """A full recompute, then a changed timer drained from the queue, both run by the role."""
    status, output = run(role_dsn, "recompute", "--workers", "2")
    assert status == 0, output
    assert_equals_reference(dsn)
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE tasks_timer SET finish_time = finish_time + 3600000 WHERE object_id = 'PT-004-OP-1'"
        )
        cur.execute("INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES ('PT-004', now())")
    conn.commit()
    status, output = run(role_dsn, "drain-queue", "--once", "--workers", "1")
    assert status == 0, output
    assert_equals_reference(dsn)


def test_recompute_and_drain_queue_work_under_the_least_privilege_role(night_role, dsn, conn):
    role, role_dsn = night_role
    assert_recompute_and_drain_queue_are_exact_as(role_dsn, dsn, conn)


def test_the_set_based_checks_need_one_updatable_column_of_each_referenced_table(night_role, dsn, conn):
    """With the README's extra GRANTs the workers switch the row triggers off and check the keys
    themselves, while the role still may not rewrite a user's password or superuser flag."""
    role, role_dsn = night_role
    for grant in SET_BASED_GRANTS:
        execute(conn, grant, role=role)
    with psycopg2.connect(role_dsn) as role_conn:
        assert ReferenceChecks(role_conn, WRITTEN_TABLES, deletes_from=DELETED_FROM).enabled
        for column in ("password", "is_superuser"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege), role_conn.cursor() as cur:
                cur.execute(f"UPDATE auth_user SET {column} = DEFAULT")
            role_conn.rollback()
    role_conn.close()
    assert_recompute_and_drain_queue_are_exact_as(role_dsn, dsn, conn)


@pytest.mark.parametrize(
    "revoke, command, lacking",
    [
        ("REVOKE INSERT ON tasks_partcostaguser FROM {role}", "recompute", "INSERT on tasks_partcostaguser"),
        ("REVOKE SELECT ON tasks_timer FROM {role}", "recompute", "SELECT on tasks_timer"),
        ("REVOKE TEMPORARY ON DATABASE {database} FROM {role}", "recompute", "TEMPORARY on database"),
        (
            "REVOKE DELETE ON tasks_partcostrecalcqueue FROM {role}",
            "drain-queue",
            "DELETE on tasks_partcostrecalcqueue",
        ),
        ("REVOKE SELECT ON auth_user FROM {role}", "drain-queue", "SELECT (id) on auth_user"),
        (
            "REVOKE UPDATE ON tasks_partcostrecalcqueue FROM {role}",
            "drain-queue",
            "UPDATE (enqueued_at) on tasks_partcostrecalcqueue",
        ),
        (
            "REVOKE UPDATE ON partcost_recompute_run FROM {role}",
            "recompute",
            "UPDATE (status, finished_at) on partcost_recompute_run",
        ),
    ],
)
def test_a_role_lacking_one_privilege_is_told_which(night_role, conn, revoke, command, lacking):
    role, role_dsn = night_role
    execute(conn, revoke, role=role, database=conn.get_dsn_parameters()["dbname"])
    before = cost_tables(conn)
    status, output = run(
        role_dsn, command, "--workers", "1", *(["--once"] if command == "drain-queue" else [])
    )
    assert status == 2, output
    assert f"Error: this role lacks {lacking}" in output
    assert "see the README's least-privilege GRANTs" in output
    assert cost_tables(conn) == before


def test_without_the_ledger_a_role_needs_create_on_the_schema(dsn, conn, night_role):
    role, role_dsn = night_role
    with conn.cursor() as cur:
        cur.execute("DROP TABLE partcost_recompute_partition, partcost_recompute_run")
    conn.commit()
    status, output = run(role_dsn, "recompute", "--workers", "1")
    assert status == 2, output
    assert "this role lacks CREATE on the schema" in output


def test_a_connection_limit_too_small_for_the_run_is_named_without_a_traceback(night_role, conn):
    """The role may hold one connection; the run needs three. The workers start while the parent
    checks the database, so whoever is left out — the parent (exit 2) or the workers (their
    partitions fail, exit 1) — says why."""
    role, role_dsn = night_role
    execute(conn, "ALTER ROLE {role} CONNECTION LIMIT 1", role=role)
    before = cost_tables(conn)
    status, output = run(role_dsn, "recompute", "--workers", "2", "--partitions", "2")
    left_out = (
        "Error: cannot connect to the database"
        if status == 2
        else "✗ partition 0: its worker could not start: cannot connect to the database"
    )
    assert status in (1, 2) and left_out in output, output
    assert f'too many connections for role "{role}"' in output
    assert "Traceback" not in output
    assert cost_tables(conn) == before


def test_a_drainer_left_out_by_a_connection_limit_is_reported_while_the_other_drains(night_role, dsn, conn):
    """One drainer waits inside its batch (its slots held) while the second finds no connection left.
    Drainers connect one at a time: at the same instant, PostgreSQL refused both (one run in four)."""
    role, role_dsn = night_role
    execute(conn, "ALTER ROLE {role} CONNECTION LIMIT 1", role=role)
    execute(conn, "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES ('PT-001', now())")
    with holding_slots(dsn, range(LOCK_SLOTS)):
        drain = start(role_dsn, "drain-queue", "--once", "--workers", "2")
        drain.wait_for_line("Progress:")  # the only result yet: the drainer that could not start
    status, output = drain.finish()
    assert status == 1, output
    assert "✗ worker: a drainer could not start: cannot connect to the database" in output
    assert f'too many connections for role "{role}"' in output
    assert "Traceback" not in output
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM tasks_partcostrecalcqueue")
        assert cur.fetchone()[0] == 0, output
    conn.rollback()


def test_hostile_task_keys_migrate_and_recompute_exactly(dsn, build, conn):
    """migrate-tasks turns task K into part PT-K: the longest key that fits is 252 characters."""
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE x (canary int)")
    worker = build.user()
    build.wage(worker, "2024-01-01", 30000)
    build.fx("2024-01-01", 0.0281)
    keys = HOSTILE_KEYS[:-1] + ["K" * 252]
    for n, key in enumerate(keys):
        build.task(key, job_no=key[:100])
        build.timer(worker, key, "2024-03-04 07:00", f"2024-03-04 {10 + n % 8}:15", on="task")
    build.commit()

    for command in ("migrate-tasks", "validate", "recompute"):
        status, output = run(dsn, command, *(["--workers", "2"] if command == "recompute" else []))
        assert status == 0, output
    assert_equals_reference(dsn)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM tasks_part WHERE task_key = ANY(%s) AND key = 'PT-' || task_key", (keys,)
        )
        assert cur.fetchone()[0] == len(keys)
        cur.execute("SELECT to_regclass('x') IS NOT NULL")
        assert cur.fetchone()[0], "table x was dropped"


# -- the embedded server ----------------------------------------------------------------------------

as_root_only = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runuser"),
    reason="acting as another OS user needs root and runuser",
)


def psql_as_nobody(server: EmbeddedServer, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "nobody", "--", str(server.bin_dir / "psql"), "--no-psqlrc", *args],
        capture_output=True,
        text=True,
        cwd="/",
    )


@pytest.fixture(params=["short", "long"])
def server_of_a_home(request, embedded_server):
    """The test session's server (its home path short enough for the socket to sit in its data
    directory) or one whose home is too long for that, its socket directory in /tmp already there
    and open to all (as left by root's own earlier run)."""
    if embedded_server is None:
        pytest.skip("PARTCOST_TEST_DSN names another server")
    if request.param == "short":
        assert embedded_server.socket_dir == embedded_server.pgdata
        yield embedded_server
        return
    home = Path(tempfile.mkdtemp(prefix="partcost-test-long-")) / ("a-long-partcost-home-" * 4)
    server = EmbeddedServer(home / "pgdata")
    assert server.socket_dir != server.pgdata
    server.socket_dir.mkdir()
    server.socket_dir.chmod(0o777)
    server.start(durable=False)
    yield server
    server.stop()
    shutil.rmtree(home.parent, ignore_errors=True)
    shutil.rmtree(server.socket_dir, ignore_errors=True)


@as_root_only
def test_another_os_user_cannot_reach_the_embedded_server(server_of_a_home):
    server = server_of_a_home
    assert psql_as_nobody(server, "--version").returncode == 0  # psql itself runs as nobody
    with closing(psycopg2.connect(server.url("postgres"))) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")  # the server is up, for its own user

    attempt = psql_as_nobody(
        server, f"--dbname={server.url('postgres')}", "-Atc", "SELECT current_setting('is_superuser')"
    )

    assert attempt.returncode != 0 and attempt.stdout == "", attempt.stdout
    assert "Permission denied" in attempt.stderr, attempt.stderr


@as_root_only
def test_the_embedded_servers_log_is_its_owners_alone(server_of_a_home):
    """The log quotes failed statements with their data."""
    assert stat.S_IMODE(server_of_a_home.log.stat().st_mode) == 0o600
    attempt = subprocess.run(
        ["runuser", "-u", "nobody", "--", "cat", str(server_of_a_home.log)],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert attempt.returncode != 0 and "Permission denied" in attempt.stderr


@as_root_only
@pytest.mark.parametrize("made_first_by_someone_else", ["a directory of nobody's", "a symlink"])
def test_a_socket_directory_someone_else_made_first_is_refused(made_first_by_someone_else):
    """/tmp is everyone's: another user may create the socket directory of a long home before the
    server does, to catch its connections or reach its socket."""
    home = Path(tempfile.mkdtemp(prefix="partcost-test-long-"))
    server = EmbeddedServer(home / ("a-long-partcost-home-" * 4) / "pgdata")
    if made_first_by_someone_else == "a symlink":
        server.socket_dir.symlink_to(home)
    else:
        server.socket_dir.mkdir(mode=0o777)
        os.chown(server.socket_dir, pwd.getpwnam("nobody").pw_uid, -1)
    try:
        with pytest.raises(
            PartcostError, match=f"the socket directory {server.socket_dir} .*it is not partcost's"
        ):
            server.start(durable=False)
        assert not server.is_initialized()
    finally:
        server.stop()
        server.socket_dir.unlink() if server.socket_dir.is_symlink() else shutil.rmtree(server.socket_dir)
        shutil.rmtree(home)
