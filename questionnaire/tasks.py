"""Celery tasks: thin adapters that take ids, fetch, and call a service.

Every task is idempotent and safe to retry (acks-late is on: a task may run
again after a worker crash). Imports go one way: this module imports the
services, and the services queue these tasks by name through
questionnaire.queueing (never by importing this module). The names
(`questionnaire.tasks.<function>`) are in settings' beat schedule and in
messages already queued: keep them.
"""

import logging
import smtplib

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from msq_portal.storage import STORAGE_ERRORS
from questionnaire.exports.jobs import (
    export_files_cutoff,
    export_files_expire,
    export_job_run,
    export_jobs_recover,
)
from questionnaire.filling.submitting import submission_confirmation_once
from questionnaire.models import Submission
from questionnaire.pdf.on_demand import pdf_copy_render, preview_render
from questionnaire.pdf.services import (
    pdf_failure_record,
    pdf_lease_release,
    pdf_render_queue_missing,
    submission_pdf_render,
)
from questionnaire.queueing import pending_tasks_send
from questionnaire.review.comments import thread_comments_email_send, thread_reply_email_send
from questionnaire.review.reminders import reminders_automatic, reminders_send
from questionnaire.review.services import review_email_send

logger = logging.getLogger(__name__)

# E-mail tasks that run once per thing sent: the mail server did not answer or refused
# for now, so try again later (what was sent already is skipped).
MAIL_RETRIES = {
    "acks_late": True,
    "autoretry_for": (OSError, smtplib.SMTPException),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 8,
}

# --- Review and exports ---------------------------------------------------


@shared_task
def task_email_review(*, submission_id: int, kind: str) -> None:
    """E-mail a country's officials that their submission was returned, reopened or accepted."""
    submission = Submission.objects.select_related("edition", "country").get(pk=submission_id)
    review_email_send(submission=submission, kind=kind)


@shared_task
def task_email_thread_reply(*, reply_id: int) -> int:
    """E-mail the other side of a comment thread that a reply was written."""
    return thread_reply_email_send(reply_id=reply_id)


@shared_task
def task_email_new_comments(*, comment_ids: list[int]) -> int:
    """E-mail the officials the reviewer's comments written while their answers are returned
    (once per comment: run again, it sends nothing)."""
    return thread_comments_email_send(comment_ids=comment_ids)


@shared_task(**MAIL_RETRIES)
def task_email_submitted(*, submission_id: int, version: int) -> int:
    """E-mail the officials that a version was submitted (once per submission and version)."""
    return submission_confirmation_once(submission_id=submission_id, version=version)


@shared_task(**MAIL_RETRIES)
def task_send_reminders(*, reminder_ids: list[int]) -> int:
    """E-mail one batch of deadline reminders (idempotent: a sent reminder is skipped)."""
    return reminders_send(reminder_ids=reminder_ids)


@shared_task
def task_send_automatic_reminders() -> int:
    """Run daily by celery beat: queue the automatic reminders N days before a deadline."""
    return reminders_automatic()


@shared_task
def task_run_export(*, job_id: int) -> None:
    """Run a full export job (idempotent: a finished job is left alone)."""
    export_job_run(job_id=job_id)


@shared_task
def task_recover_export_jobs() -> dict[str, int]:
    """Run by celery beat every ~30 s: queue again (or fail) exports whose worker stopped."""
    return export_jobs_recover()


@shared_task
def task_send_pending_tasks() -> int:
    """Run by celery beat every ~30 s: send the tasks queued while the broker was down."""
    return pending_tasks_send()


@shared_task
def task_expire_export_files() -> int:
    """Run daily by celery beat: delete export files older than MSQ_EXPORT_RETENTION_DAYS."""
    return export_files_expire(older_than=export_files_cutoff())


# --- Submission PDFs (questionnaire.pdf.services, questionnaire.pdf.on_demand) ---


class _PdfTask(Task):
    """Records on the submission a PDF task that failed for good, once its retries are spent."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        try:
            pdf_lease_release(submission_id=kwargs["submission_id"], version=kwargs["version"])
            pdf_failure_record(
                submission_id=kwargs["submission_id"],
                version=kwargs["version"],
                message=f"{type(exc).__name__} after {self.request.retries} retries: {exc}",
            )
        except Exception:  # the database may be what failed: the log still has it
            logger.exception("Could not record the PDF failure of %s", kwargs)


@shared_task(
    base=_PdfTask,
    acks_late=True,
    # Transient: the database or the storage (disk or bucket) went away for a moment.
    autoretry_for=(OperationalError, InterfaceError, *STORAGE_ERRORS),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=settings.MSQ_PDF_SOFT_TIME_LIMIT,
    time_limit=settings.MSQ_PDF_SOFT_TIME_LIMIT + 30,
)
def task_render_submission_pdf(*, submission_id: int, version: int, force: bool = False) -> str:
    """Render and store the PDF of a submitted version (idempotent per submission and version)."""
    outcome = submission_pdf_render(submission_id=submission_id, version=version, force=force)
    # Done: a later repair may queue this version again (a retry keeps the lease).
    pdf_lease_release(submission_id=submission_id, version=version)
    return outcome


@shared_task(
    acks_late=True,
    soft_time_limit=settings.MSQ_PDF_SOFT_TIME_LIMIT,
    time_limit=settings.MSQ_PDF_SOFT_TIME_LIMIT + 30,
)
def task_render_preview_pdf(*, submission_id: int, version: int, language: str) -> str:
    """Render an official's draft preview into storage (once per submission, version, language)."""
    return preview_render(submission_id=submission_id, version=version, language=language)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError, *STORAGE_ERRORS),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=settings.MSQ_PDF_SOFT_TIME_LIMIT,
    time_limit=settings.MSQ_PDF_SOFT_TIME_LIMIT + 30,
)
def task_render_submission_pdf_copy(*, submission_id: int, version: int, language: str) -> str:
    """Render a submitted version in another language (a reviewer's English copy), once."""
    return pdf_copy_render(submission_id=submission_id, version=version, language=language)


@shared_task(acks_late=True)
def task_render_missing_pdfs() -> int:
    """The sweeper run by celery beat: queue every submitted version still without its PDF."""
    return pdf_render_queue_missing()
