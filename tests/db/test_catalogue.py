"""What partcost reads of the catalogue before work starts: a table's columns as
``information_schema.columns`` lists them, in whatever schema the connection's search path names."""

from psycopg2 import sql

from partcost.db.catalogue import missing_columns


def test_missing_tables_and_columns_are_named_in_a_schema_whose_name_needs_quotes(conn):
    with conn.cursor() as cur:
        cur.execute('CREATE SCHEMA "Factory Floor"')
        cur.execute('CREATE TABLE "Factory Floor".machines (id integer, "Name" text)')
        cur.execute("SET search_path = {}".format(sql.Identifier("Factory Floor").as_string(conn)))
    conn.commit()

    missing = missing_columns(conn, {"machines": ("id", "Name", "name"), "tasks_part": ("key",)})

    assert missing == ["machines.name", "tasks_part"]  # tasks_part is in public, not on the path
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name || '.' || column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY ordinal_position"
        )
        assert [name for (name,) in cur.fetchall()] == ["machines.id", "machines.Name"]
