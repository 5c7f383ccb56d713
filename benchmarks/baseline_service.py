"""The existing Django service's way of recomputing part costs, kept as the speed baseline.

The service works one part at a time: it reads the part's operations and their finished timers,
splits every timer into day segments, prices each segment in a ``decimal.Decimal`` loop (the wage
and FX rate looked up for the segment's date, with small caches as its ORM helpers keep), and then
deletes and re-inserts the part's rows of both cost tables in a transaction of its own. Here that
runs in a pool of N processes, each over its own connection — the service's strategy at its best.

Only the speed matters to the benchmarks; its rows agree with the reference on ordinary data (its
Decimal arithmetic is not exact, so a value a hair from a half cent may round the other way). The day
splitting is the reference's own, as the service's splitting follows the same rules."""

import argparse
import time
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from multiprocessing import Pool

from psycopg2.extras import execute_values

from partcost.db.catalogue import content_type_id
from partcost.db.connections import connect, connection
from tests.support.reference import BUCKETS, split_timer

CENT = Decimal("0.01")
HOURS_PER_MONTH = Decimal(225)
NO_TRY_WAGES = (Decimal("1.0"), Decimal("1.5"), Decimal("2.0"))
COST_COLUMNS = (
    "job_no_cached",
    "currency",
    "hours_ww",
    "hours_ah",
    "hours_su",
    "cost_ww",
    "cost_ah",
    "cost_su",
    "total_cost",
    "updated_at",
)

# per worker process: its connection, the service's constants and its lookup caches
_conn = None
_operation_type = None
_fallback_wage = None
_wages = {}  # user_id -> wage versions
_rates = {}  # date -> EUR rate


def run_baseline(dsn: str, workers: int) -> dict:
    """Recompute every part the service's way; returns {'parts': n, 'seconds': elapsed}."""
    started = time.perf_counter()
    with connection(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT key, job_no FROM tasks_part ORDER BY key")
        parts = cur.fetchall()
    with Pool(workers, initializer=_open_connection, initargs=(dsn,)) as pool:
        done = sum(pool.imap_unordered(recompute_part, parts, chunksize=64))
    return {"parts": done, "seconds": time.perf_counter() - started}


def _open_connection(dsn: str) -> None:
    global _conn, _operation_type, _fallback_wage
    _conn = connect(dsn, application_name="partcost-baseline")
    _operation_type = content_type_id(_conn, "tasks", "operation")
    with _conn.cursor() as cur:
        cur.execute(
            "SELECT avg(base_monthly), avg(after_hours_multiplier), avg(sunday_multiplier)"
            " FROM users_wagerate WHERE currency = 'TRY'"
        )
        averages = cur.fetchone()
    _fallback_wage = NO_TRY_WAGES if averages[0] is None else averages
    _conn.commit()


def recompute_part(part: tuple) -> int:
    """One part, start to finish, in its own transaction."""
    key, job_no = part
    with _conn.cursor() as cur:
        cur.execute("SELECT key FROM tasks_operation WHERE part_id = %s", (key,))
        operations = [operation for (operation,) in cur.fetchall()]
        cur.execute(
            "SELECT user_id, start_time, finish_time FROM tasks_timer"
            " WHERE content_type_id = %s AND object_id = ANY(%s) AND finish_time IS NOT NULL",
            (_operation_type, operations),
        )
        timers = cur.fetchall()
        per_user = price_timers(cur, timers)
        write_part(cur, key, job_no or "", per_user if timers else None)
    _conn.commit()
    return 1


def price_timers(cur, timers) -> dict:
    """{user_id: {'hours_ww': Decimal, ..., 'cost_su': Decimal}} for every costed user."""
    per_user = {}
    for user_id, start_ms, finish_ms in timers:
        for day, bucket, seconds in split_timer(start_ms, finish_ms):
            if day not in _rates:
                _rates[day] = fx_on(cur, day)
            if _rates[day] == 0:
                continue
            if user_id not in _wages:
                _wages[user_id] = wage_versions(cur, user_id)
            base_monthly, after_hours, sunday = wage_on(_wages[user_id], day)
            multiplier = {"ww": Decimal(1), "ah": after_hours, "su": sunday}[bucket]
            hours = Decimal(seconds) / Decimal(3600)
            sums = per_user.setdefault(user_id, zero_sums())
            sums[f"hours_{bucket}"] += hours
            sums[f"cost_{bucket}"] += hours * (base_monthly / HOURS_PER_MONTH) * multiplier * _rates[day]
    return per_user


def zero_sums() -> dict:
    return {f"{kind}_{bucket}": Decimal(0) for kind in ("hours", "cost") for bucket in BUCKETS}


def fx_on(cur, day) -> Decimal:
    cur.execute(
        "SELECT rates ->> 'EUR' FROM core_currencyratesnapshot WHERE date <= %s ORDER BY date DESC LIMIT 1",
        (day,),
    )
    row = cur.fetchone()
    if row is None:
        cur.execute("SELECT rates ->> 'EUR' FROM core_currencyratesnapshot ORDER BY date LIMIT 1")
        row = cur.fetchone()
    return Decimal(row[0]) if row and row[0] is not None else Decimal(0)


def wage_versions(cur, user_id: int) -> list:
    cur.execute(
        "SELECT effective_from, base_monthly, after_hours_multiplier, sunday_multiplier"
        " FROM users_wagerate WHERE user_id = %s ORDER BY effective_from",
        (user_id,),
    )
    return cur.fetchall()


def wage_on(versions: list, day) -> tuple:
    if not versions:
        return _fallback_wage
    started = [version for version in versions if version[0] <= day]
    return tuple((started[-1] if started else versions[0])[1:])


def write_part(cur, key: str, job_no: str, per_user) -> None:
    """Replace the part's rows; ``per_user`` None means the part has no timers and keeps no rows."""
    cur.execute("DELETE FROM tasks_partcostaguser WHERE part_id = %s", (key,))
    cur.execute("DELETE FROM tasks_partcostagg WHERE part_id = %s", (key,))
    if per_user is None:
        return
    now = datetime.now(timezone.utc)
    part_sums = zero_sums()
    for sums in per_user.values():
        for column, value in sums.items():
            part_sums[column] += value
    columns = ", ".join(COST_COLUMNS)
    marks = ", ".join(["%s"] * (len(COST_COLUMNS) + 1))
    cur.execute(
        f"INSERT INTO tasks_partcostagg (part_id, {columns}) VALUES ({marks})",
        (key, *cost_values(job_no, part_sums, now)),
    )
    if per_user:
        execute_values(
            cur,
            f"INSERT INTO tasks_partcostaguser (part_id, user_id, {columns}) VALUES %s",
            [(key, user_id, *cost_values(job_no, sums, now)) for user_id, sums in per_user.items()],
        )


def cost_values(job_no: str, sums: dict, now: datetime) -> tuple:
    rounded = lambda value: value.quantize(CENT, rounding=ROUND_HALF_UP)
    total = sum(sums[f"cost_{bucket}"] for bucket in BUCKETS)
    values = [rounded(sums[f"{kind}_{bucket}"]) for kind in ("hours", "cost") for bucket in BUCKETS]
    return (job_no, "EUR", *values, rounded(total), now)


def main() -> None:
    parser = argparse.ArgumentParser(description="Recompute every part the existing service's way.")
    parser.add_argument("dsn")
    parser.add_argument("--workers", type=int, default=2)
    figures = run_baseline(**vars(parser.parse_args()))
    print(
        f"baseline: {figures['parts']} parts in {figures['seconds']:.2f} s "
        f"({figures['parts'] / figures['seconds']:.0f} parts/s)"
    )


if __name__ == "__main__":
    main()
