"""``partcost recompute`` against the reference on seeded random databases: a few hundred timers each,
start and finish times drawn towards the edges the rules care about (07:30, 17:00, midnight, a
millisecond either side), wages and FX snapshots with gaps, missing EUR rates and zeros."""

import random
from datetime import date, timedelta

import pytest

from tests.support.builder import Builder, local_ms
from tests.support.recompute_runs import engine_matches_reference, tables_after_recompute
from tests.support.reference import Options

EDGE_TIMES = [
    "00:00:00",
    "07:30:00",
    "17:00:00",
    "07:29:59.999",
    "17:00:00.001",
    "23:59:59.999",
    "12:00:00",
    "07:30:00.500",
]
DURATIONS_MS = [0, -60_000, 999, 18_000, 3_600_000, 9 * 3_600_000, 26 * 3_600_000, 3 * 86_400_000]
AWKWARD = ["'", '"', "\t", "\n", "\\", ",", " ", "ç", "Ş"]


def random_local_time(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(EDGE_TIMES)
    return f"{rng.randrange(24):02}:{rng.randrange(60):02}:{rng.randrange(60):02}.{rng.randrange(1000):03}"


def random_duration_ms(rng: random.Random) -> int:
    return rng.choice(DURATIONS_MS) if rng.random() < 0.3 else rng.randrange(1, 12 * 3_600_000)


def random_database(conn, seed: int, periods: list, tz: str = "Europe/Istanbul", timers: int = 300) -> list:
    """Fill the database with dates from ``periods`` [(first day, number of days)]; returns the part keys."""
    rng = random.Random(seed)
    build = Builder(conn, tz)
    days = sum(length for _, length in periods)

    def day() -> date:
        first_day, length = rng.choice(periods)
        return first_day + timedelta(days=rng.randrange(length))

    users = [build.user() for _ in range(8)]
    for user in users[:6]:  # the last two have no wage: the TRY average
        for effective_from in sorted({day() for _ in range(rng.randrange(1, 4))}):
            build.wage(
                user,
                str(effective_from),
                f"{rng.randrange(20_000, 90_000)}.{rng.randrange(10_000):04}",
                after_hours=f"1.{rng.randrange(1000):03}",
                sunday=f"2.{rng.randrange(1000):03}",
                currency=rng.choice(["TRY", "TRY", "EUR"]),
            )
    for snapshot in sorted({day() for _ in range(days // 3)}):
        kind = rng.random()
        rates = (
            {"USD": 0.03}
            if kind < 0.1
            else {"EUR": 0}
            if kind < 0.15
            else {"EUR": float(f"0.0{rng.randrange(200, 400)}{rng.randrange(100)}")}
        )
        build.fx(str(snapshot), rates=rates)
    parts, operations = [], []
    for n in range(40):
        key = f"P{n}" + "".join(rng.sample(AWKWARD, rng.randrange(3)))
        parts.append(build.part(key, job_no=rng.choice([None, f"J-{n % 7}"])))
        operations += [build.operation(f"{key}-OP{m}", key) for m in range(rng.randrange(1, 4))]
    for _ in range(timers):
        start = local_ms(f"{day()} {random_local_time(rng)}", tz)
        finish = None if rng.random() < 0.03 else start + random_duration_ms(rng)
        build.timer(rng.choice(users), rng.choice(operations), start, finish)
    build.commit()
    return parts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_databases_match_the_reference(dsn, conn, seed):
    random_database(conn, seed, [(date(2024, 1, 1), 150)])
    tables = engine_matches_reference(dsn)
    assert tables.users, "the random database should produce costed rows"


def test_a_zone_with_daylight_saving_matches_the_reference(dsn, conn):
    berlin = Options(timezone="Europe/Berlin")
    # around the switches of 2024-03-31 and 2024-10-27, both Sundays
    random_database(conn, 4, [(date(2024, 3, 25), 14), (date(2024, 10, 22), 14)], tz=berlin.timezone)
    engine_matches_reference(dsn, berlin)


def clear_cost_tables(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tasks_partcostaguser")
        cur.execute("DELETE FROM tasks_partcostagg")
    conn.commit()


def test_four_workers_write_the_same_tables_as_one(dsn, conn):
    random_database(conn, 6, [(date(2024, 1, 1), 120)])
    with_one = tables_after_recompute(dsn, "--workers", "1")
    clear_cost_tables(conn)
    assert tables_after_recompute(dsn, "--workers", "4") == with_one


def test_part_key_writes_the_same_rows_as_a_full_run_and_nothing_else(dsn, conn):
    parts = random_database(conn, 7, [(date(2024, 1, 1), 120)])
    full = tables_after_recompute(dsn)
    chosen = [key for key in parts if key in full.parts][:3]
    clear_cost_tables(conn)
    flags = [flag for key in chosen for flag in ("--part-key", key)]
    only_chosen = tables_after_recompute(dsn, *flags)
    assert only_chosen.parts == {key: full.parts[key] for key in chosen}
    assert only_chosen.users == {key: row for key, row in full.users.items() if key[0] in chosen}


def change_some_things(conn, parts: list) -> None:
    """What a day at the factory does between two nightly runs."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tasks_timer WHERE id % 5 = 0")
        cur.execute(
            "DELETE FROM tasks_timer t USING tasks_operation o WHERE o.key = t.object_id AND o.part_id = %s",
            (parts[0],),
        )
        cur.execute("UPDATE tasks_timer SET finish_time = finish_time + 3600000 WHERE id % 7 = 0")
        cur.execute("UPDATE tasks_part SET job_no = 'RENAMED' WHERE key = %s", (parts[1],))
        cur.execute("UPDATE users_wagerate SET base_monthly = base_monthly + 1000 WHERE id % 2 = 0")
        cur.execute("UPDATE core_currencyratesnapshot SET rates = '{\"EUR\": 0.05}' WHERE id % 3 = 0")
    conn.commit()


def test_a_second_run_after_changes_matches_the_reference(dsn, conn):
    parts = random_database(conn, 8, [(date(2024, 1, 1), 120)])
    engine_matches_reference(dsn)
    change_some_things(conn, parts)
    tables = engine_matches_reference(dsn)
    assert parts[0] not in tables.parts
    assert tables.parts[parts[1]]["job_no_cached"] == "RENAMED"
