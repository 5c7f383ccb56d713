"""A small builder for hand-made test databases: a part, a timer from local time A to B, a wage
from date D. Times are local wall-clock strings in the business time zone ("2024-03-04 07:30",
optionally with seconds and a fraction), turned into the epoch milliseconds the app stores."""

import itertools
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from partcost.db.catalogue import content_type_id

NOW = "2024-06-01 00:00:00+00"


def local_ms(text: str, tz: str = "Europe/Istanbul") -> int:
    """Epoch milliseconds of a local wall-clock time such as '2024-03-04 07:30:00.250'."""
    moment = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))
    return int(round(moment.timestamp() * 1000))


class Builder:
    def __init__(self, conn, tz: str = "Europe/Istanbul"):
        self.conn = conn
        self.tz = tz
        self._numbers = itertools.count(1)
        self.operation_ct = content_type_id(conn, "tasks", "operation")
        self.task_ct = content_type_id(conn, "machining", "task")

    def _insert(self, table: str, values: dict, returning: str = None):
        columns = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join(["%s"] * len(values))
        query = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        if returning:
            query += f" RETURNING {returning}"
        with self.conn.cursor() as cur:
            cur.execute(query, [json.dumps(v) if isinstance(v, dict) else v for v in values.values()])
            return cur.fetchone()[0] if returning else None

    def user(self, username: str = None) -> int:
        n = next(self._numbers)
        return self._insert(
            "auth_user",
            {
                "password": "!",
                "is_superuser": False,
                "username": username or f"worker{n}",
                "first_name": "",
                "last_name": "",
                "email": "",
                "is_staff": False,
                "is_active": True,
                "date_joined": NOW,
            },
            returning="id",
        )

    def part(self, key: str, job_no: str = None, task_key: str = None, **columns) -> str:
        self._insert(
            "tasks_part",
            {"key": key, "name": columns.pop("name", key), "job_no": job_no, "task_key": task_key, **columns},
        )
        return key

    def operation(self, key: str, part: str, order: int = None, **columns) -> str:
        self._insert(
            "tasks_operation",
            {
                "key": key,
                "part_id": part,
                "name": columns.pop("name", key),
                "is_hold_task": False,
                "in_plan": False,
                "plan_locked": False,
                "order": next(self._numbers) if order is None else order,
                "interchangeable": False,
                **columns,
            },
        )
        return key

    def task(self, key: str, **columns) -> str:
        self._insert(
            "machining_task",
            {
                "key": key,
                "name": columns.pop("name", key),
                "is_hold_task": False,
                "in_plan": False,
                "plan_locked": False,
                **columns,
            },
        )
        return key

    def timer(
        self, user: int, target: str, start: str, finish: str = None, on: str = "operation", **columns
    ) -> int:
        """A timer on an operation (or, with on='task', a machining task) from local ``start`` to
        ``finish`` (None: still running). Raw epoch ms may be given as ints."""
        to_ms = lambda t: t if isinstance(t, int) or t is None else local_ms(t, self.tz)
        return self._insert(
            "tasks_timer",
            {
                "user_id": user,
                "start_time": to_ms(start),
                "finish_time": to_ms(finish),
                "manual_entry": False,
                "content_type_id": self.operation_ct if on == "operation" else self.task_ct,
                "object_id": target,
                "timer_type": "productive",
                **columns,
            },
            returning="id",
        )

    def wage(
        self,
        user: int,
        effective_from: str,
        base_monthly,
        after_hours=Decimal("1.5"),
        sunday=Decimal("2.0"),
        currency: str = "TRY",
    ) -> None:
        self._insert(
            "users_wagerate",
            {
                "user_id": user,
                "effective_from": date.fromisoformat(effective_from),
                "currency": currency,
                "base_monthly": Decimal(str(base_monthly)),
                "after_hours_multiplier": Decimal(str(after_hours)),
                "sunday_multiplier": Decimal(str(sunday)),
                "created_at": NOW,
                "updated_at": NOW,
            },
        )

    def fx(self, day: str, eur=None, rates: dict = None) -> None:
        """A TRY snapshot for ``day``: ``eur`` as the EUR rate, or the whole ``rates`` JSON."""
        if rates is None:
            rates = {"EUR": float(eur) if not isinstance(eur, str) else eur, "USD": 0.03}
        with self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO core_currencyratesnapshot (provider, date, base, rates, created_at)"
                " VALUES ('test', %s, 'TRY', %s::jsonb, %s)",
                (date.fromisoformat(day), json.dumps(rates), NOW),
            )

    def commit(self) -> None:
        self.conn.commit()
