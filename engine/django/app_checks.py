"""The runbook's application checks, measured through the host project's own models
(``apps.get_model("tasks", "Operation")`` and so on, never copies of them), so that "Can view
parts/operations" and "Can start/stop timers on operations" are ticked from evidence:

- every migrated part is loaded with its operation, and each operation is keyed by its task;
- a sample of the timers on operations resolve their generic foreign key to their operation;
- a test timer is started and stopped on an operation, with the app's own ``save()`` and signals,
  inside a transaction that is rolled back (nothing stays; only the timer id sequence moves on).

What they cannot see, the web server, stays the operator's.

Example::

    for check in app_checks("default"):
        print(check.item, check.passed, check.evidence)
"""

import time
from contextlib import ExitStack

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F

from partcost.db.connections import set_session_limits
from partcost.night.report import PARTS_VIEWABLE, TIMERS_START_AND_STOP
from partcost.night.run import AppCheck

TIMER_SAMPLE = 100
CHUNK = 2000


class _Failed(Exception):
    """A check's evidence that it failed."""


def app_checks(alias: str) -> list[AppCheck]:
    """The checks on the database of ``alias``, each passed or failed with its evidence. Django's
    connection gets partcost's session limits first: the app's own may be shorter than loading
    every migrated part takes."""
    with connections[alias].cursor() as cursor:
        set_session_limits(cursor)
    checks = (
        (PARTS_VIEWABLE, _parts_with_their_operations),
        (TIMERS_START_AND_STOP, _timers_resolve_to_operations),
        (TIMERS_START_AND_STOP, _a_timer_starts_and_stops),
    )
    return [_run(item, check, alias) for item, check in checks]


def _run(item: str, check, alias: str) -> AppCheck:
    try:
        return AppCheck(item, True, check(alias))
    except _Failed as failure:
        return AppCheck(item, False, str(failure))
    except Exception as error:  # the app's own code raised: that is what the check is for
        return AppCheck(
            item, False, f"{check.__name__.strip('_').replace('_', ' ')}: {type(error).__name__}: {error}"
        )


def _models():
    return (
        apps.get_model("tasks", "Part"),
        apps.get_model("tasks", "Operation"),
        apps.get_model("tasks", "Timer"),
    )


def _parts_with_their_operations(alias: str) -> str:
    """Every migrated part, loaded with the operation keyed by its task (it may have more since)."""
    Part, Operation, _ = _models()
    expected = Part.objects.using(alias).filter(task_key__isnull=False).count()
    operations = Operation.objects.using(alias).filter(key=F("part__task_key")).select_related("part")
    loaded = 0
    for operation in operations.iterator(chunk_size=CHUNK):
        str(operation), str(operation.part)  # what a list view shows: the models' own code runs
        loaded += 1
    if loaded != expected:
        raise _Failed(
            f"{expected - loaded:,} of {expected:,} migrated parts load without the operation keyed by their task"
        )
    return f"{expected:,} migrated parts loaded with their operations through tasks.Part and tasks.Operation"


def _timers_resolve_to_operations(alias: str) -> str:
    _, Operation, Timer = _models()
    relation = _generic_relation(Timer)
    on_operations = ContentType.objects.db_manager(alias).get_for_model(Operation)
    sample = list(Timer.objects.using(alias).filter(content_type=on_operations).order_by("?")[:TIMER_SAMPLE])
    for timer in sample:
        target = getattr(timer, relation)
        if not isinstance(target, Operation) or target.pk != timer.object_id:
            raise _Failed(
                f"timer {timer.pk}: Timer.{relation} gives {target!r}, not operation {timer.object_id!r}"
            )
    return f"{len(sample)} sampled timers resolve to their operation through Timer.{relation}"


def _a_timer_starts_and_stops(alias: str) -> str:
    _, Operation, Timer = _models()
    relation = _generic_relation(Timer)
    operations = Operation.objects.using(alias).order_by("key")
    operation = operations.filter(part__task_key__isnull=False).first() or operations.first()
    user = get_user_model().objects.using(alias).order_by("pk").first()
    if operation is None or user is None:
        raise _Failed("no operation or no user to start a test timer with")
    started = int(time.time() * 1000)
    # The app's signals may write through its default database: that transaction is rolled back too.
    written = sorted({alias, DEFAULT_DB_ALIAS})
    with ExitStack() as transactions:
        for each in written:
            transactions.enter_context(transaction.atomic(using=each))
        timer = Timer(user=user, start_time=started, machine_fk_id=operation.machine_fk_id)
        setattr(timer, relation, operation)
        timer.save(using=alias)
        timer.finish_time, timer.stopped_by = started + 1000, user
        timer.save(using=alias)
        stored = Timer.objects.using(alias).get(pk=timer.pk)
        if stored.finish_time != started + 1000 or getattr(stored, relation) != operation:
            raise _Failed(f"the test timer on {operation.key!r} did not read back as started and stopped")
        for each in written:
            transaction.set_rollback(True, using=each)
    return (
        f"a test timer started and stopped on operation {operation.key!r} as {user} through "
        "tasks.Timer.save() (the app's signals ran), then rolled back"
    )


def _generic_relation(model) -> str:
    for field in model._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            return field.name
    raise _Failed(f"{model._meta.label} has no generic foreign key to its operation")
