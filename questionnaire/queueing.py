"""Queueing Celery tasks so that they survive a broker outage: an outbox of PendingTask rows.

Services queue every side effect through this module, by the task's name
("questionnaire.tasks.task_run_export"): the tasks module imports the services,
never the other way round. The registered task is looked up when queued (an
unknown name fails at once, in the caller) and its `delay` sends it, so that
CELERY_TASK_ALWAYS_EAGER (the embedded default) runs it in-process.

`task_queue` goes through an outbox of PendingTask rows. The row is written in
the caller's transaction, so it exists exactly when the action committed; on
commit the message is sent at once (robust: a broker that is down or hung is
logged and recorded, never turned into a 500 or a lost action), and beat's
sweeper (`pending_tasks_send`) sends what is left unsent once the broker is
back. Tasks queued this way must be idempotent: a message may be sent twice
(sent, then the mark that says so lost).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from msq_portal.celery import app
from questionnaire.models import PendingTask

logger = logging.getLogger(__name__)

# A row this recent is left to the on-commit send of its own request.
SEND_GRACE = timedelta(seconds=10)
# Sent rows are kept this long, as a record of what was queued when.
SENT_KEPT = timedelta(days=7)
ERROR_MAX_LENGTH = 2_000


def task_named(name: str, /) -> Task:
    """The task registered as `name`; raises celery's NotRegistered (a KeyError) if none is.

    The tasks modules are loaded by the apps' ready(), so that every process
    (web, worker, beat, shell) knows them by name without importing them here.
    """
    return app.tasks[name]


def task_queue(name: str, /, **kwargs) -> PendingTask:
    """Queue the task `name(**kwargs)` once the transaction commits, whatever the broker does.

    Side effects: a PendingTask row in the current transaction; on commit, the
    message is sent and the row marked sent, or the error is recorded on the
    row for the sweeper to retry. Nothing is queued if the transaction rolls back.
    """
    (pending,) = tasks_queue((name, kwargs))
    return pending


def tasks_queue(*calls: tuple[str, dict]) -> list[PendingTask]:
    """Queue several `(task name, kwargs)` at once, like `task_queue`, sent in order on commit.

    The sends stop at the first one the broker does not take (the rest are left
    to the sweeper): a hung broker costs the request one timeout, not one each.
    """
    tasks = [(task_named(name), kwargs) for name, kwargs in calls]  # a wrong name fails here
    queued = [
        (PendingTask.objects.create(task=task.name, kwargs=kwargs), task) for task, kwargs in tasks
    ]

    def send() -> None:
        for pending, task in queued:
            if not pending_task_send(pending=pending, task=task):
                break

    transaction.on_commit(send, robust=True)
    return [pending for pending, _task in queued]


def pending_task_send(*, pending: PendingTask, task: Task | None = None) -> bool:
    """Hand one pending task to the broker; returns whether the broker took it.

    Side effects: the message; sent_at and attempts on the row, or attempts and
    last_error when the broker refused or did not answer in time.
    """
    attempt = PendingTask.objects.filter(pk=pending.pk)
    try:
        (task or task_named(pending.task)).delay(**pending.kwargs)
    except Exception as error:  # kombu and redis raise their own errors: all mean "not sent"
        logger.warning("task %s %s not sent: %r", pending.task, pending.kwargs, error)
        attempt.update(
            attempts=F("attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH],
        )
        return False
    attempt.update(attempts=F("attempts") + 1, sent_at=timezone.now(), last_error="")
    return True


def task_send(name: str, /, *, countdown: int | None = None, **kwargs) -> None:
    """Send the task `name(**kwargs)` now, without the outbox, `countdown` seconds later if given.

    For work that is redone anyway if lost (the link checker's debounced and
    nightly checks); raises what the broker raises.
    """
    task = task_named(name)
    if countdown is None:
        task.delay(**kwargs)
    else:
        task.apply_async(kwargs=kwargs, countdown=countdown)


def pending_task_is_waiting(name: str, /, **kwargs) -> bool:
    """Whether the task `name(**kwargs)` was queued but the broker has not taken it yet."""
    return PendingTask.objects.filter(
        task=name, sent_at__isnull=True, **{f"kwargs__{k}": v for k, v in kwargs.items()}
    ).exists()


def pending_tasks_send(*, now: datetime | None = None) -> int:
    """Send the pending tasks older than SEND_GRACE that are still unsent (the sweeper).

    Stops at the first one the broker does not take: the broker is down, and
    the rest wait for the next run rather than each waiting for its timeout.
    Returns how many were sent. Side effects: messages; sent rows older than
    SENT_KEPT are deleted. Safe to run twice at once (rows are locked).
    """
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        rows = (
            PendingTask.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, created_at__lt=now - SEND_GRACE)
            .order_by("created_at", "pk")[: settings.MSQ_PENDING_TASKS_BATCH]
        )
        for pending in rows:
            if not pending_task_send(pending=pending):
                break
            sent += 1
    PendingTask.objects.filter(sent_at__lt=now - SENT_KEPT).delete()
    if sent:
        logger.info("sent %d pending task(s) left unsent", sent)
    return sent
