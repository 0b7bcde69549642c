"""Celery tasks: thin adapters that take ids, fetch, and call a service.

Every task is idempotent and safe to retry (acks-late is on: a task may run
again after a worker crash). Queue them with transaction.on_commit so that a
rolled-back transaction queues nothing.
"""

from celery import shared_task

# --- Review and exports (imports inside: the services queue these tasks) ----


@shared_task
def task_email_review(*, submission_id: int, kind: str) -> None:
    """E-mail a country's officials that their submission was returned or reopened."""
    from questionnaire.models import Submission
    from questionnaire.review_services import review_email_send

    submission = Submission.objects.select_related("edition", "country").get(pk=submission_id)
    review_email_send(submission=submission, kind=kind)


@shared_task
def task_run_export(*, job_id: int) -> None:
    """Run a full export job (idempotent: a finished job is left alone)."""
    from questionnaire.export_jobs import export_job_run

    export_job_run(job_id=job_id)
