"""The runbook through ``manage.py`` against the CLI (benchmarks/django_runbook.py) at
``PARTCOST_BENCH_TASKS``, so that the comparison cannot rot (CI: 200 tasks)."""

from benchmarks import django_runbook


def test_the_runbook_through_manage_py_beside_the_cli(benchmark, pg, bench_tasks):  # noqa: F811
    rows = benchmark.pedantic(
        django_runbook.measure, args=(pg.admin_dsn, bench_tasks, 2), rounds=1, iterations=1
    )
    assert [name for name, _, _ in rows] == [name for name, _, _ in django_runbook.phases(2)]
    assert all(django_s > 0 and cli_s > 0 for _, django_s, cli_s in rows)
    assert "**Phases 2–6**" in django_runbook.table(rows, bench_tasks)
