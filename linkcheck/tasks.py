"""Celery tasks of the link checker: thin adapters that take ids and call a service.

The services send these by name (questionnaire.queueing), never importing this module.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from linkcheck.services import open_editions_links_queue, submission_links_check


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
)
def task_check_submission_links(*, submission_id: int, force: bool = False) -> int:
    """Check the links of one submission (idempotent: fresh results are not fetched again)."""
    return submission_links_check(submission_id=submission_id, force=force)


@shared_task(acks_late=True)
def task_check_open_editions_links() -> int:
    """Run nightly by celery beat: queue a check of every open edition's submission."""
    return open_editions_links_queue()
