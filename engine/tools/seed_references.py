"""The rows outside partcost's layout that seeded rows refer to: Django's machines (machine_fk_id)
and downtime reasons (downtime_reason_id) on a database whose tables Django made.

The seed draws these as stand-in numbers (machines 1..M, reason 3). Where a seeded column has a
foreign key, each stand-in becomes a real row of the referenced table: its existing rows first, in
key order, then as many minimal new rows as are still needed, every NOT NULL column given a value
(Django's layout has no database defaults). Without a foreign key the numbers stay as drawn."""

from collections.abc import Sequence

import polars as pl
from psycopg2 import sql

from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError

# A value for a NOT NULL column of a new row, by type or else by pg_type.typcategory; {n} numbers
# the new row (strings: a cast to varchar(k) truncates, so the number comes first).
VALUE_BY_TYPE = {"jsonb": "'{{}}'::jsonb", "json": "'{{}}'::json", "uuid": "gen_random_uuid()"}
VALUE_BY_CATEGORY = {
    "S": "({n} || ' partcost seed')::{type}",
    "N": "0::{type}",
    "B": "false",
    "D": "now()::{type}",
}
# A column referring to yet another table gets that table's first row; a key without a default
# the next free numbers.
REFERENCE_VALUE = "(SELECT min({ref_column}) FROM {ref_table})"
NEXT_KEY_VALUE = "((SELECT coalesce(max({key}), 0) FROM {table}) + {n})::{type}"


class OutsideReferences:
    """Stand-in number → real referenced value, per seeded column."""

    def __init__(self, conn, tables: Sequence[str], stand_ins: dict[str, Sequence[int]]):
        self.mapping = {}
        with conn.cursor() as cur:
            cur.execute(
                sql_file("tools/outside_references"), {"tables": list(tables), "columns": list(stand_ins)}
            )
            targets: dict[str, list[tuple[str, str]]] = {}
            for column, ref_table, ref_column in cur.fetchall():
                targets.setdefault(column, []).append((ref_table, ref_column))
            for column, refs in targets.items():
                if len(refs) > 1:
                    raise PartcostError(
                        f"the seeded tables' {column} columns refer to different tables "
                        f"({', '.join(t for t, _ in refs)}); seed needs one"
                    )
                ((ref_table, ref_column),) = refs
                ids = _rows_for(cur, ref_table, ref_column, len(stand_ins[column]))
                self.mapping[column] = dict(zip(stand_ins[column], ids))

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with its stand-in numbers replaced by the rows they stand for."""
        return frame.with_columns(
            pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.Int64)
            for column, mapping in self.mapping.items()
            if column in frame.columns
        )


def _rows_for(cur, table: str, column: str, count: int) -> list:
    """``count`` values of ``table.column``: the existing ones first, then new minimal rows'."""
    select = sql.SQL("SELECT {c} FROM {t} WHERE {c} IS NOT NULL ORDER BY {c} LIMIT %s")
    cur.execute(select.format(c=sql.Identifier(column), t=sql.SQL(table)), (count,))
    ids = [value for (value,) in cur.fetchall()]
    missing = count - len(ids)
    if missing:
        ids += _insert_minimal_rows(cur, table, column, len(ids), missing)
    return ids


def _insert_minimal_rows(cur, table: str, key: str, existing: int, count: int) -> list:
    cur.execute(sql_file("tools/columns_without_default"), {"table": table})
    number = sql.SQL("(n + {})").format(sql.Literal(existing))
    columns, values = [], []
    for name, type_name, category, ref_table, ref_column in cur.fetchall():
        columns.append(sql.Identifier(name))
        values.append(
            sql.SQL(_value_template(table, name, type_name, category, ref_table, key)).format(
                n=number,
                type=sql.SQL(type_name),
                table=sql.SQL(table),
                key=sql.Identifier(key),
                ref_table=sql.SQL(ref_table or ""),
                ref_column=sql.Identifier(ref_column or "-"),
            )
        )
    target = (
        sql.SQL("{} ({})").format(sql.SQL(table), sql.SQL(", ").join(columns)) if columns else sql.SQL(table)
    )
    cur.execute(
        sql.SQL(
            "INSERT INTO {target} SELECT {values} FROM generate_series(1, %s) AS n RETURNING {key}"
        ).format(target=target, values=sql.SQL(", ").join(values), key=sql.Identifier(key)),
        (count,),
    )
    return sorted(value for (value,) in cur.fetchall())


def _value_template(table, name, type_name, category, ref_table, key) -> str:
    if ref_table is not None:
        return REFERENCE_VALUE
    if name == key:
        return NEXT_KEY_VALUE
    template = VALUE_BY_TYPE.get(type_name) or VALUE_BY_CATEGORY.get(category)
    if template is None:
        raise PartcostError(
            f"seed cannot make a row of {table}: no value for its NOT NULL column {name} ({type_name})"
        )
    return template
