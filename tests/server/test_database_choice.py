"""Which database partcost uses, and that its password never shows."""

from click.testing import CliRunner

from partcost.cli.main import partcost
from partcost.server.dsn import choose_database, mask_dsn, mask_secrets


def test_cli_dsn_wins_over_environment():
    choice = choose_database("postgresql://a@h/cli", {"PARTCOST_DSN": "x", "DATABASE_URL": "y"})
    assert (choice.dsn, choice.source) == ("postgresql://a@h/cli", "--dsn")


def test_partcost_dsn_wins_over_database_url():
    choice = choose_database(None, {"PARTCOST_DSN": "dbname=p", "DATABASE_URL": "dbname=d"})
    assert (choice.dsn, choice.source) == ("dbname=p", "PARTCOST_DSN")


def test_database_url_is_used_when_partcost_dsn_is_unset():
    choice = choose_database(None, {"DATABASE_URL": "dbname=d"})
    assert (choice.dsn, choice.source) == ("dbname=d", "DATABASE_URL")


def test_embedded_server_is_the_default():
    choice = choose_database(None, {})
    assert choice.embedded and choice.source == "embedded"


def test_passwords_are_masked_in_every_dsn_form():
    assert mask_dsn("postgresql://bob:s3cr%40t@db:5432/f") == "postgresql://bob:***@db:5432/f"
    assert mask_dsn("host=db password=s3cret user=bob") == "host=db password=*** user=bob"
    assert mask_dsn("host=db password='a b' user=bob") == "host=db password=*** user=bob"
    assert mask_dsn("postgresql://db/f?user=bob&password=s3cret") == "postgresql://db/f?user=bob&password=***"
    assert mask_dsn("postgresql://bob@db/f") == "postgresql://bob@db/f"


def test_literal_password_echoed_by_a_driver_is_masked():
    assert "hunter2" not in mask_secrets("auth failed for hunter2", "postgresql://u:hunter2@h/d")


def test_unreachable_database_is_one_line_without_the_password():
    result = CliRunner().invoke(
        partcost, ["--dsn", "postgresql://nobody:secret@127.0.0.1:1/x", "schema", "create"]
    )
    assert result.exit_code == 2
    assert "secret" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "Error: cannot connect to the database postgresql://nobody:***@"
    )


def test_database_without_the_tables_is_named(empty_dsn):
    result = CliRunner().invoke(partcost, ["--dsn", empty_dsn, "schema", "upgrade"])
    assert result.exit_code == 2
    assert "the database lacks tasks_part" in result.output


def test_client_programs_get_the_password_through_the_environment_not_argv():
    from partcost.server.dsn import without_password

    bare, environment = without_password("postgresql://bob:hunter2@db.example:5433/factory")
    assert "hunter2" not in bare and "db.example" in bare and "factory" in bare
    assert environment["PGPASSWORD"] == "hunter2"
    bare, _ = without_password("host=db dbname=f")
    assert sorted(bare.split()) == ["dbname=f", "host=db"]
