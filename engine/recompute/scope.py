"""A *scope* is the set of parts one unit of recompute work covers: a hash partition of the part
keys (how a full recompute is split between workers) or an explicit list of keys (``--part-key``,
the queue). Its parts are locked through a fixed number of advisory-lock *slots*, so a partition and
a key list that share a part always contend for the same lock.

Example::

    Scope(partitions=8, partition=3).params()   # bound into sql/recompute/load_timers.sql
    Scope.keys(["P-100", "P-101"])
"""

from collections.abc import Sequence
from dataclasses import dataclass

LOCK_NAMESPACE = 1885434484  # 'part' — the slot locks of sql/recompute/lock_part_slots.sql
LOCK_SLOTS = 256  # see sql/recompute/lock_part_slots.sql; partitions counts divide it

# Where a part belongs, as the SQL files write it (partcost.db.sql_files expands the placeholders):
# its key's hash, made non-negative so that ``mod`` of it is too; partition p of N holds the parts
# whose hash mod N is p, and a part's lock slot is its hash mod LOCK_SLOTS — so, N dividing
# LOCK_SLOTS, the slots of partition p are those with slot mod N = p (``Scope.lock_slots``).
SQL_PLACEHOLDERS = {
    "part_hash": "(hashtext({key})::bigint + 2147483648)",
    "lock_slot": f"mod((hashtext({{key}})::bigint + 2147483648), {LOCK_SLOTS})",
}


@dataclass(frozen=True)
class Scope:
    partitions: int = 1
    partition: int = 0
    part_keys: tuple | None = None

    @classmethod
    def keys(cls, part_keys: Sequence[str]) -> "Scope":
        return cls(part_keys=tuple(part_keys))

    def params(self) -> dict:
        keys = list(self.part_keys) if self.part_keys is not None else None
        return {"partitions": self.partitions, "partition": self.partition, "part_keys": keys}

    def lock_slots(self) -> list:
        """The lock slots of a partition (for a key list they are looked up in SQL)."""
        return [slot for slot in range(LOCK_SLOTS) if slot % self.partitions == self.partition]
