"""Realistic synthetic data for the production layout, in the state the night migration starts from.

Everything is drawn from one numpy ``Generator`` seeded by ``--seed``, built a whole column at a
time (numpy/polars) and written with one COPY per table, so the same seed gives the same
rows — ids included, since identity assigns them in write order — and 100,000 tasks take seconds.

The data carries the traps the migration and the recompute must survive: awkward task keys, completed
tasks still holding a plan slot, timers across midnight and over several days, zero-length and reversed
timers, Sundays and Saturdays, workers without wages or whose first wage starts after their first
timer, FX gaps and days without EUR, stale cost rows, and parts made natively after the cut-over."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from psycopg2.sql import SQL, Identifier

from partcost.db.catalogue import content_type_id, missing_columns, require_columns
from partcost.db.copy import copy_in
from partcost.db.schema import PART_COSTS, PHASE2_TABLES, QUEUE_TABLE, USER_COSTS, WRONG_DATABASE_HINT
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.recompute.aggregate import VALUE_COLUMNS, as_text
from partcost.recompute.compute import compute_costs
from partcost.recompute.load import load_prices, load_user_ids
from partcost.recompute.split import WorkCalendar
from partcost.tools.seed_references import OutsideReferences

TIME_ZONE = "Europe/Istanbul"
FIRST_DAY = date(2023, 1, 2)  # a Monday: about two years of shop-floor history…
LAST_DAY = date(2024, 12, 31)
CUT_OVER = date(2024, 12, 2)  # …the last month of which also has natively created parts
EPOCH = date(1970, 1, 1)
SUNDAY = 6  # weekday numbers: Monday = 0
DOWNTIME_REASON = 3  # the downtime timers' reason (a stand-in, see partcost.tools.seed_references)

# Keys the migration must carry through COPY, SQL and reports untouched. The longest is 252
# characters: the longest task key whose part key PT-<key> still fits varchar(255).
AWKWARD_KEYS = (
    "M 000124 rev B",
    "M-1,2",
    'M-"7"',
    "M-O'Brien",
    "M-back\\slash",
    "M-tab\there",
    "Ç-ş 12",
    "Öğütücü-İş 3",
    "\\N",
    "M-" + "x" * 250,
)

PART_NAMES = (
    "Housing",
    "Cover Plate",
    "Shaft",
    "Flange",
    "Bracket",
    "Bearing Seat",
    "Gear Blank",
    "Spacer",
    "Hub",
    "Pulley",
    "Mounting Plate",
    "Bushing",
    "Adapter",
    "Pin",
    "Sleeve",
)
OPERATION_NAMES = ("Turning", "Milling", "Drilling", "Grinding", "Boring", "Deburring")
MATERIALS = ("S235JR", "C45", "42CrMo4", "AlMg3", "1.4301", "GG25")
FIRST_NAMES = (
    "Ahmet",
    "Mehmet",
    "Ayşe",
    "Fatma",
    "Mustafa",
    "Emre",
    "Zeynep",
    "Hüseyin",
    "Elif",
    "İbrahim",
    "Murat",
    "Özlem",
    "Çağlar",
    "Şükrü",
    "Gül",
)
LAST_NAMES = (
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Öztürk",
    "Aydın",
    "Arslan",
    "Doğan",
    "Koç",
    "Kılıç",
)

# Timer shapes in local wall-clock minutes of the start day (an end past 1440 is the next day):
# share, start, start jitter (sd), end, end jitter (sd).
SHIFT_SHAPES = {
    "day": (0.55, 450, 8, 1020, 12),  # 07:30 – 17:00
    "morning": (0.10, 450, 8, 720, 10),  # 07:30 – 12:00, lunch break follows
    "afternoon": (0.10, 765, 10, 1020, 12),  # 12:45 – 17:00
    "overtime": (0.07, 1020, 5, 1230, 45),  # 17:00 – ~20:30
    "evening": (0.06, 960, 10, 1440, 25),  # 16:00 – ~midnight, often across it
    "night": (0.04, 1410, 10, 1890, 10),  # 23:30 – 07:30 next day
    "interruption": (0.08, 720, 120, 0, 0),  # a few minutes at any time of the day
}
# The odd ones, as a share of all timers (at least two of each).
SPECIAL_SHARES = {"multi-day": 0.002, "zero-length": 0.002, "reversed": 0.001}


@dataclass(frozen=True)
class SeedOptions:
    tasks: int
    timers_per_task: float = 5.0
    users: int | None = None
    seed: int = 0
    active_timers: int = 0

    @property
    def workers(self) -> int:
        return self.users if self.users is not None else max(20, self.tasks // 500)

    @property
    def machines(self) -> int:
        return max(4, min(40, self.tasks // 2500 + 4))

    @property
    def native_parts(self) -> int:
        return max(3, self.tasks // 200)

    def check(self) -> None:
        if self.tasks < 1:
            raise PartcostError("--tasks must be at least 1")
        if self.timers_per_task < 0:
            raise PartcostError("--timers-per-task must not be negative")
        if self.workers < 1:
            raise PartcostError("--users must be at least 1")
        if self.active_timers < 0:
            raise PartcostError("--active-timers must not be negative")


SEED_TABLES = {
    "auth_user": ("id", "username"),
    "machining_task": ("key",),
    "machining_jobcostagg": ("task_id",),
    "machining_jobcostagguser": ("task_id", "user_id"),
    "tasks_part": ("key",),
    "tasks_operation": ("key", "part_id", "order"),
    "tasks_timer": ("id", "content_type_id", "object_id"),
    "users_wagerate": ("user_id", "effective_from"),
    "core_currencyratesnapshot": ("date", "rates"),
}


def seed(conn, options: SeedOptions) -> dict:
    """Fill an empty production layout (before or after Phase 2) in one transaction.

    Returns the rows written per table, in write order."""
    options.check()
    require_columns(conn, SEED_TABLES, WRONG_DATABASE_HINT)
    _require_empty(conn)
    has_part_costs = not missing_columns(conn, PHASE2_TABLES)  # (checks end the transaction: ask first)
    outside = OutsideReferences(
        conn,
        list(SEED_TABLES),
        {"machine_fk_id": range(1, options.machines + 1), "downtime_reason_id": [DOWNTIME_REASON]},
    )
    rng = np.random.default_rng(options.seed)
    tables = _Tables(conn, outside)
    with _indexes_and_foreign_keys_built_after_load(conn, list(SEED_TABLES) + list(PHASE2_TABLES)):
        tables.write("auth_user", _workers(options.workers))
        user_ids = _user_ids(conn, options.workers)
        tables.write("users_wagerate", _wages(rng, user_ids))
        tables.write("core_currencyratesnapshot", _fx_snapshots(rng))
        _seed_tasks(rng, tables, options, user_ids)
        _seed_native_parts(rng, tables, options, user_ids, has_part_costs)
    conn.commit()
    return tables.written


@contextmanager
def _indexes_and_foreign_keys_built_after_load(conn, tables: list):
    """Drop the tables' foreign keys and plain indexes while COPY runs; add them back unchanged.

    This is how pg_restore loads data: a deferred foreign key checks each inserted row on its own
    at COMMIT, and every index is updated row by row, while adding them afterwards does each in one
    pass — several times faster for a big seed. Primary keys and UNIQUE constraints stay. It all
    happens in the caller's transaction, so a failure leaves the layout as it was."""
    with conn.cursor() as cur:
        cur.execute(sql_file("tools/foreign_keys_of_tables"), {"tables": tables})
        foreign_keys = cur.fetchall()
        cur.execute(sql_file("tools/indexes_of_tables"), {"tables": tables})
        indexes = cur.fetchall()
        for table, name, _ in foreign_keys:
            cur.execute(SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(Identifier(table), Identifier(name)))
        for name, _ in indexes:
            cur.execute(SQL("DROP INDEX {}").format(Identifier(name)))
    yield
    with conn.cursor() as cur:
        for _, definition in indexes:
            cur.execute(definition)
        for table, name, definition in foreign_keys:
            cur.execute(
                SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(Identifier(table), Identifier(name))
                + SQL(definition)
            )


class _Tables:
    """COPY frames into tables, counting the rows written to each; stand-in machine and reason
    numbers become the rows they stand for."""

    def __init__(self, conn, outside: OutsideReferences):
        self.conn = conn
        self.outside = outside
        self.written: dict[str, int] = {}

    def write(self, table: str, frame: pl.DataFrame) -> None:
        frame = self.outside.apply(frame)
        self.written[table] = self.written.get(table, 0) + copy_in(self.conn, table, frame)


def _seed_tasks(rng, tables: _Tables, options: SeedOptions, user_ids: np.ndarray) -> None:
    """The old world: machining tasks, their timers and their old cost rows."""
    tasks = _tasks(rng, options, user_ids)
    tables.write("machining_task", tasks.drop("first_day"))
    timers = _timers(
        rng, tasks["first_day"].to_numpy(), options.timers_per_task, user_ids, tasks["machine_fk_id"]
    )
    timers = _stop_all_but(rng, timers, options.active_timers)
    task_type = content_type_id(tables.conn, "machining", "task")
    tables.write("tasks_timer", _timer_rows(rng, timers, tasks["key"], task_type))
    agg, per_user = _cost_rows(rng, tables.conn, timers, tasks, "task_id")
    tables.write("machining_jobcostagg", agg)
    tables.write("machining_jobcostagguser", per_user)


def _seed_native_parts(
    rng, tables: _Tables, options: SeedOptions, user_ids: np.ndarray, has_part_costs: bool
) -> None:
    """The new world since the cut-over: parts, operations, their timers and (after Phase 2)
    their cost rows and recalculation queue."""
    parts, operations = _native_parts(rng, options, user_ids)
    tables.write("tasks_part", parts)
    tables.write("tasks_operation", operations.drop("first_day", "part"))
    timers = _timers(
        rng,
        operations["first_day"].to_numpy(),
        options.timers_per_task,
        user_ids,
        operations["machine_fk_id"],
    )
    operation_type = content_type_id(tables.conn, "tasks", "operation")
    tables.write("tasks_timer", _timer_rows(rng, timers, operations["key"], operation_type))
    if has_part_costs:
        timers_by_part = timers.with_columns(target=operations["part"].gather(timers["target"]))
        agg, per_user = _cost_rows(rng, tables.conn, timers_by_part, parts, "part_id")
        tables.write(PART_COSTS, agg)
        tables.write(USER_COSTS, per_user)
        tables.write(QUEUE_TABLE, _recalc_queue(rng, parts))


def _require_empty(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(sql_file("tools/seed_rows_present"))
        tasks, parts, timers = cur.fetchone()
    conn.rollback()
    if tasks or parts or timers:
        raise PartcostError(
            f"the database already holds {tasks} machining tasks, {parts} parts and "
            f"{timers} timers; seed fills an empty layout (`partcost schema create`)"
        )


# -- calendar helpers ---------------------------------------------------------------------------


def _day_number(day: date) -> int:
    return (day - EPOCH).days


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days + 3) % 7  # 1970-01-01 was a Thursday


def _local_to_epoch_ms(local_ms: np.ndarray) -> pl.Series:
    """Epoch milliseconds of local wall-clock times given as milliseconds since 1970-01-01 00:00."""
    wall_clock = pl.from_epoch(pl.Series(local_ms, dtype=pl.Int64), time_unit="ms")
    return wall_clock.dt.replace_time_zone(TIME_ZONE, ambiguous="earliest", non_existent="null").dt.epoch(
        "ms"
    )


def _dates(days: np.ndarray) -> pl.Series:
    return pl.from_epoch(pl.Series(days, dtype=pl.Int64), time_unit="d")


def _timestamps(local_ms: np.ndarray) -> pl.Series:
    """timestamptz values (UTC) of local wall-clock milliseconds."""
    return pl.from_epoch(_local_to_epoch_ms(local_ms), time_unit="ms").dt.replace_time_zone("UTC")


def _with_nulls(rng, values: pl.Series, share: float) -> pl.Series:
    return values.set(pl.Series(rng.random(len(values)) < share), None)


# -- the tables ---------------------------------------------------------------------------------


def _username(number: int) -> str:
    return f"worker{number + 1:05d}"


def _workers(count: int) -> pl.DataFrame:
    n = np.arange(count)
    return pl.DataFrame(
        {
            "username": [_username(i) for i in range(count)],
            "password": "!",  # Django's mark for "no usable password"
            "first_name": [FIRST_NAMES[i % len(FIRST_NAMES)] for i in n],
            "last_name": [LAST_NAMES[(i * 7) % len(LAST_NAMES)] for i in n],
            "email": [f"{_username(i)}@factory.example" for i in range(count)],
            "is_superuser": False,
            "is_staff": n == 0,
            "is_active": True,
            "date_joined": _timestamps((_day_number(FIRST_DAY) - 900 + n % 300 * 3) * 86_400_000),
        }
    )


def _user_ids(conn, count: int) -> np.ndarray:
    """The ids identity gave the workers, in username order."""
    with conn.cursor() as cur:
        cur.execute(
            sql_file("tools/user_ids_by_username"), {"usernames": [_username(i) for i in range(count)]}
        )
        return np.array([row[0] for row in cur.fetchall()], dtype=np.int64)


def _task_keys(rng, count: int) -> list:
    keys = [f"M-{i + 1:06d}" for i in range(count)]
    for position, key in zip(rng.choice(count, min(count, len(AWKWARD_KEYS)), replace=False), AWKWARD_KEYS):
        keys[position] = key
    return keys


def _job_numbers(rng, count: int) -> pl.Series:
    jobs = max(3, count // 25)
    number = rng.integers(1, jobs + 1, count)
    year = np.where(number <= jobs // 2, 2023, 2024)
    job_no = pl.Series([f"J-{y}-{n:04d}" for y, n in zip(year, number)])
    odd = rng.random(count) < 0.002
    job_no = job_no.set(pl.Series(odd), 'J-2024-0007 (rev. "B", Ç)')
    return _with_nulls(rng, job_no, 0.02)


def _tasks(rng, options: SeedOptions, user_ids: np.ndarray) -> pl.DataFrame:
    """machining_task rows, plus ``first_day`` (the day work started) for the timers."""
    n = options.tasks
    span = _day_number(LAST_DAY) - _day_number(FIRST_DAY) - 30
    first_day = _day_number(FIRST_DAY) + rng.integers(0, span, n)
    created_day = first_day - rng.integers(0, 10, n)
    completed = rng.random(n) < 0.6
    completion_day = first_day + rng.integers(10, 45, n)
    machine = pl.Series(rng.integers(1, options.machines + 1, n))
    machine = _with_nulls(rng, machine, 0.05)
    # Open tasks are often planned; a few completed ones still hold their slot (the migration clears it).
    in_plan = (rng.random(n) < np.where(completed, 0.04, 0.35)) & machine.is_not_null().to_numpy()
    day_ms = 86_400_000
    frame = pl.DataFrame(
        {
            "key": _task_keys(rng, n),
            "name": [PART_NAMES[i] for i in rng.integers(0, len(PART_NAMES), n)],
            "description": _with_nulls(
                rng, pl.Series([f"Drawing rev {c}" for c in rng.choice(list("ABCD"), n)]), 0.4
            ),
            "quantity": _with_nulls(rng, pl.Series(rng.integers(1, 51, n)), 0.1),
            "created_by_id": _with_nulls(rng, pl.Series(rng.choice(user_ids, n)), 0.05),
            "created_at": _local_to_epoch_ms(created_day * day_ms + rng.integers(8, 17, n) * 3_600_000),
            "completed_by_id": pl.Series(rng.choice(user_ids, n)).set(pl.Series(~completed), None),
            "completion_date": _local_to_epoch_ms(completion_day * day_ms + 16 * 3_600_000).set(
                pl.Series(~completed), None
            ),
            "is_hold_task": rng.random(n) < 0.01,
            "estimated_hours": _with_nulls(
                rng, pl.Series(np.round(rng.gamma(2.0, 8.0, n) + 0.25, 2)), 0.15
            ).cast(pl.Decimal(6, 2)),
            "machine_fk_id": machine,
            "finish_time": _with_nulls(rng, _dates(completion_day + 5), 0.2),
            "in_plan": in_plan,
            "planned_start_ms": _local_to_epoch_ms(first_day * day_ms + 450 * 60_000).set(
                pl.Series(~in_plan), None
            ),
            "planned_end_ms": _local_to_epoch_ms(completion_day * day_ms + 1020 * 60_000).set(
                pl.Series(~in_plan), None
            ),
            "plan_locked": in_plan & (rng.random(n) < 0.2),
            "job_no": _job_numbers(rng, n),
            "image_no": _with_nulls(rng, pl.Series([f"IMG-{i:05d}" for i in rng.integers(1, 99999, n)]), 0.3),
            "position_no": _with_nulls(rng, pl.Series([f"{i}" for i in rng.integers(1, 60, n)]), 0.3),
            "first_day": first_day,
        }
    )
    # Plan slots are unique per machine among in-plan tasks: number them 1, 2, … per machine.
    return frame.with_columns(
        plan_order=pl.when(pl.col("in_plan")).then(
            pl.col("in_plan").cast(pl.Int32).cum_sum().over("machine_fk_id")
        )
    )


def _timers(
    rng, first_day: np.ndarray, per_target: float, user_ids: np.ndarray, machine: pl.Series
) -> pl.DataFrame:
    """Shift-shaped timers on targets whose work starts on ``first_day`` (epoch day numbers).

    Columns: target (row index), user_id, machine_fk_id, start_ms, finish_ms (epoch ms),
    shape, sunday."""
    counts = rng.poisson(per_target, len(first_day))
    target = np.repeat(np.arange(len(first_day)), counts)
    total = len(target)
    # A small crew per target: a lead worker and now and then a colleague.
    lead = rng.integers(0, len(user_ids), len(first_day))
    user = user_ids[(lead[target] + rng.choice([0, 0, 0, 1, 2], total)) % len(user_ids)]
    day = np.minimum(first_day[target] + rng.geometric(1 / 6, total) - 1, _day_number(LAST_DAY))
    # Sundays see a third of a weekday's work: move most Sunday timers to Monday.
    day = day + ((_weekday(day) == SUNDAY) & (rng.random(total) < 0.7))
    day = np.minimum(day, _day_number(LAST_DAY))

    names = list(SHIFT_SHAPES)
    shares = np.array([SHIFT_SHAPES[s][0] for s in names])
    shape = rng.choice(len(names), total, p=shares / shares.sum())
    _, start_at, start_sd, end_at, end_sd = (np.array(column) for column in zip(*SHIFT_SHAPES.values()))
    start_minute = start_at[shape] + rng.normal(0, 1, total) * start_sd[shape]
    end_minute = end_at[shape] + rng.normal(0, 1, total) * end_sd[shape]
    interruption = shape == names.index("interruption")
    end_minute = np.where(interruption, start_minute + rng.uniform(2, 25, total), end_minute)
    start_ms = (day * 1440 + start_minute) * 60_000 + rng.integers(0, 60_000, total)
    finish_ms = (day * 1440 + end_minute) * 60_000 + rng.integers(0, 60_000, total)
    start_ms = start_ms.astype(np.int64)
    finish_ms = np.maximum(finish_ms.astype(np.int64), start_ms + 60_000)
    shape_name = np.array(names, dtype=object)[shape]

    for special, share in SPECIAL_SHARES.items():
        chosen = rng.choice(total, min(total, max(2, round(share * total))), replace=False)
        shape_name[chosen] = special
        if special == "multi-day":
            finish_ms[chosen] = start_ms[chosen] + rng.integers(26, 80, len(chosen)) * 3_600_000
        elif special == "zero-length":
            finish_ms[chosen] = start_ms[chosen]
        else:
            finish_ms[chosen] = start_ms[chosen] - rng.integers(1_000, 7_200_000, len(chosen))

    return pl.DataFrame(
        {
            "target": target,
            "user_id": user,
            "machine_fk_id": machine.gather(target),
            "start_ms": _local_to_epoch_ms(start_ms),
            "finish_ms": _local_to_epoch_ms(finish_ms),
            "shape": shape_name.astype(str),
            "sunday": _weekday(day) == SUNDAY,
        }
    ).sort("start_ms", "target", maintain_order=True)


def _stop_all_but(rng, timers: pl.DataFrame, active: int) -> pl.DataFrame:
    """Leave ``active`` timers running (finish NULL), each on a different target (one running
    timer per user, machine and target is all the app allows)."""
    if active == 0:
        return timers
    firsts = timers.with_row_index("row").unique("target", keep="first", maintain_order=True)["row"]
    if active > len(firsts):
        raise PartcostError(f"--active-timers {active} is more than the {len(firsts)} tasks with timers")
    running = np.zeros(timers.height, dtype=bool)
    running[rng.choice(firsts.to_numpy(), active, replace=False)] = True
    return timers.with_columns(timers["finish_ms"].set(pl.Series(running), None))


def _timer_rows(rng, timers: pl.DataFrame, keys: pl.Series, content_type: int) -> pl.DataFrame:
    n = timers.height
    downtime = pl.Series(rng.random(n) < 0.02)
    return pl.DataFrame(
        {
            "user_id": timers["user_id"],
            "stopped_by_id": timers["user_id"].set(timers["finish_ms"].is_null(), None),
            "start_time": timers["start_ms"],
            "finish_time": timers["finish_ms"],
            "manual_entry": timers["shape"].is_in(["multi-day", "reversed"]),
            "comment": pl.Series([None] * n, dtype=pl.Utf8).set(downtime, "waiting for material"),
            "machine_fk_id": timers["machine_fk_id"],
            "content_type_id": pl.repeat(content_type, n, dtype=pl.Int32, eager=True),
            "object_id": keys.gather(timers["target"]),
            "timer_type": pl.Series(["productive"] * n).set(downtime, "downtime"),
            "downtime_reason_id": pl.Series([None] * n, dtype=pl.Int64).set(downtime, DOWNTIME_REASON),
        }
    )


def _cost_rows(rng, conn, timers: pl.DataFrame, targets: pl.DataFrame, key_column: str):
    """Old cost rows (per target, and per target and worker) for about 92% of the targets with
    timers, priced by the rules with the seeded wages and FX — the recompute's own computation, so
    the night's drift report shows what a real database shows: most old numbers agree to the cent,
    and the 5% deliberately left stale (20% low, as if later timers were never costed) do not."""
    finished = timers.filter(pl.col("finish_ms").is_not_null())
    costed_timers = finished.select(
        part_id=targets["key"].gather(finished["target"]),
        timer_id=pl.lit(None, pl.Int64),
        user_id="user_id",  # ids come on insert
        start_ms="start_ms",
        finish_ms="finish_ms",
    )
    part_rows, user_rows, _ = compute_costs(
        costed_timers,
        targets.select(part_id="key", job_no="job_no"),
        load_prices(conn),
        WorkCalendar(),
        load_user_ids(conn),
    )
    keys = part_rows["part_id"].to_numpy()
    kept = keys[rng.random(len(keys)) < 0.92]
    stale = kept[rng.random(len(kept)) < 0.05]
    updated_at = pl.lit(CUT_OVER).cast(pl.Datetime("us", "UTC"))

    def old(rows: pl.DataFrame) -> pl.DataFrame:
        rows = rows.filter(pl.col("part_id").is_in(kept))
        made_stale = pl.col("part_id").is_in(stale)
        return (
            as_text(
                rows.with_columns(
                    pl.when(made_stale).then(pl.col(VALUE_COLUMNS) * 4 // 5).otherwise(pl.col(VALUE_COLUMNS))
                )
            )
            .rename({"part_id": key_column})
            .with_columns(updated_at=updated_at)
        )

    return old(part_rows), old(user_rows)


def _native_parts(rng, options: SeedOptions, user_ids: np.ndarray):
    """Parts made in the new system after the cut-over ("PT-001", operations "PT-001-OP-1", …)."""
    n = options.native_parts
    keys = [f"PT-{i + 1:03d}" for i in range(n)]
    first_day = _day_number(CUT_OVER) + rng.integers(0, 20, n)
    created_ms = _local_to_epoch_ms(first_day * 86_400_000 + 9 * 3_600_000)
    parts = pl.DataFrame(
        {
            "key": keys,
            "name": [PART_NAMES[i] for i in rng.integers(0, len(PART_NAMES), n)],
            "description": "",
            "job_no": [f"J-2024-{i:04d}" for i in rng.integers(900, 999, n)],
            "image_no": [f"IMG-{i:05d}" for i in rng.integers(1, 99999, n)],
            "position_no": [f"{i}" for i in rng.integers(1, 60, n)],
            "quantity": rng.integers(1, 20, n),
            "material": [MATERIALS[i] for i in rng.integers(0, len(MATERIALS), n)],
            "dimensions": [
                f"Ø{d}x{length}" for d, length in zip(rng.integers(20, 300, n), rng.integers(10, 500, n))
            ],
            "weight_kg": pl.Series(np.round(rng.gamma(2.0, 4.0, n), 3)).cast(pl.Decimal(10, 3)),
            "finish_time": _dates(first_day + 30),
            "created_by_id": rng.choice(user_ids, n),
            "created_at": created_ms,
        }
    )
    steps = rng.integers(1, 4, n)
    part = np.repeat(np.arange(n), steps)
    order = np.concatenate([np.arange(1, s + 1) for s in steps])
    operations = pl.DataFrame(
        {
            "key": [f"{keys[p]}-OP-{o}" for p, o in zip(part, order)],
            "part_id": [keys[p] for p in part],
            "name": [OPERATION_NAMES[i] for i in rng.integers(0, len(OPERATION_NAMES), len(part))],
            "description": "",
            "quantity": parts["quantity"].gather(part),
            "created_by_id": parts["created_by_id"].gather(part),
            "created_at": created_ms.gather(part),
            "is_hold_task": False,
            "estimated_hours": pl.Series(np.round(rng.gamma(2.0, 3.0, len(part)) + 0.5, 2)).cast(
                pl.Decimal(6, 2)
            ),
            "machine_fk_id": rng.integers(1, options.machines + 1, len(part)),
            "in_plan": False,
            "plan_locked": False,
            "order": order,
            "interchangeable": False,
            "first_day": first_day[part] + order - 1,
            "part": part,
        }
    )
    return parts, operations


def _recalc_queue(rng, parts: pl.DataFrame) -> pl.DataFrame:
    queued = parts.filter(pl.Series(rng.random(parts.height) < 0.2))
    return pl.DataFrame(
        {
            "part_id": queued["key"],
            "enqueued_at": pl.from_epoch(queued["created_at"], time_unit="ms").dt.replace_time_zone("UTC"),
        }
    )


def _some(rng, count: int, share: float) -> np.ndarray:
    """Distinct random positions: ``share`` of ``count``, but at least one."""
    return rng.choice(count, max(1, round(share * count)), replace=False)


def _wages(rng, user_ids: np.ndarray) -> pl.DataFrame:
    """Wage histories: raises each January and July, some workers without any, and some whose
    history starts after they began clocking time."""
    workers = len(user_ids)
    versions = rng.integers(1, 5, workers)
    versions[_some(rng, workers, 0.15)] = 0
    late_start = np.zeros(workers, dtype=bool)
    late_start[_some(rng, workers, 0.2)] = True
    late_start &= versions > 0
    worker = np.repeat(np.arange(workers), versions)
    version = np.concatenate([np.arange(v) for v in versions])
    first_half_year = np.where(late_start, rng.integers(1, 4, workers), 0)
    half_year = first_half_year[worker] + version  # 0 = January 2023
    effective = np.array(
        [_day_number(date(2023 + h // 2, 1 + 6 * (h % 2), 1)) for h in half_year], dtype=np.int64
    )
    effective = effective + np.where(late_start[worker] & (version == 0), rng.integers(0, 60, len(worker)), 0)
    skill = rng.uniform(1.1, 2.4, workers)[worker]
    base = np.round(skill * 11_000 * 1.25**half_year, 4)
    currency = np.where(rng.random(len(worker)) < 0.03, "EUR", "TRY")
    stamp = _timestamps(effective * 86_400_000 - 5 * 86_400_000)
    return pl.DataFrame(
        {
            "user_id": user_ids[worker],
            "effective_from": _dates(effective),
            "currency": currency,
            "base_monthly": pl.Series(base).cast(pl.Decimal(12, 4)),
            "after_hours_multiplier": pl.Series(rng.choice([1.5, 1.5, 1.5, 1.25], len(worker))).cast(
                pl.Decimal(6, 3)
            ),
            "sunday_multiplier": pl.Series(rng.choice([2.0, 2.0, 1.5], len(worker))).cast(pl.Decimal(6, 3)),
            "note": pl.Series(np.where(version == 0, "hired", "raise")),
            "created_at": stamp,
            "updated_at": stamp,
            "created_by_id": pl.repeat(int(user_ids[0]), len(worker), dtype=pl.Int32, eager=True),
        }
    )


def _fx_snapshots(rng) -> pl.DataFrame:
    """Daily TRY-based rates on working days (weekends and a few holidays missing), the lira losing
    about half its value over the two years, and a few days whose snapshot has no EUR."""
    days = np.arange(_day_number(FIRST_DAY) + 3, _day_number(LAST_DAY) + 1)
    days = days[(_weekday(days) < 5) & (rng.random(len(days)) > 0.03)]
    progress = (days - days[0]) / (days[-1] - days[0])
    eur = 0.050 * np.exp(-0.62 * progress + np.cumsum(rng.normal(0, 0.004, len(days))))
    usd = eur * rng.uniform(1.06, 1.10, len(days))
    frame = pl.DataFrame({"eur": np.round(eur, 4), "usd": np.round(usd, 4)}).with_columns(
        pl.col("eur", "usd").cast(pl.Utf8)
    )
    with_eur = pl.concat_str(pl.lit('{"EUR": '), "eur", pl.lit(', "USD": '), "usd", pl.lit("}"))
    without_eur = pl.concat_str(pl.lit('{"USD": '), "usd", pl.lit(', "GBP": '), "eur", pl.lit("}"))
    no_eur = np.zeros(len(days), dtype=bool)
    no_eur[rng.choice(len(days), 4, replace=False)] = True
    rates = frame.select(
        pl.when(pl.lit(pl.Series(no_eur))).then(without_eur).otherwise(with_eur).alias("rates")
    )["rates"]
    return pl.DataFrame(
        {
            "provider": "tcmb",
            "date": _dates(days),
            "base": "TRY",
            "rates": rates,
            "created_at": _timestamps(days * 86_400_000 + (15 * 60 + 30) * 60_000),
        }
    )
