"""Full exports as background jobs: requesting one, and running it in a Celery worker."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from questionnaire.exports import EXPORTERS, submissions_for_export
from questionnaire.models import Edition, ExportJob, Submission

logger = logging.getLogger(__name__)

# Progress is written at most this often, so a fast export does not spend its time on it.
PROGRESS_INTERVAL_SECONDS = 1.0


class ExportRequestError(Exception):
    """An export that cannot be requested as asked; the message is for the reviewer."""


def export_job_create(
    *, edition: Edition, exporter: str, statuses: Iterable[str], user: User
) -> ExportJob:
    """Request a full export of the edition in the `exporter` format.

    Side effects: creates a QUEUED ExportJob; on commit, queues task_run_export.
    Raises ExportRequestError for an unknown format or submission status.
    """
    from questionnaire.tasks import task_run_export

    if exporter not in EXPORTERS:
        raise ExportRequestError(_("Unknown export format."))
    statuses = sorted(set(statuses))
    if not set(statuses) <= set(Submission.Status.values):
        raise ExportRequestError(_("Unknown submission status."))
    job = ExportJob.objects.create(
        edition=edition, exporter=exporter, statuses=statuses, created_by=user
    )
    transaction.on_commit(lambda: task_run_export.delay(job_id=job.pk))
    return job


def _sha256(handle) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def export_job_run(*, job_id: int) -> ExportJob:
    """Run a queued export job: write its file, keeping its progress up to date.

    Side effects: the job goes RUNNING, then DONE with its file saved in the
    default storage (exports/), or FAILED with the error. Idempotent: a job
    already done or failed is left as it is; a job left RUNNING by a worker
    that died is run again from the start.
    """
    job = ExportJob.objects.select_related("edition").get(pk=job_id)
    if job.is_finished:
        return job
    submissions = submissions_for_export(edition=job.edition, statuses=job.statuses)
    total = submissions.count()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now(),
        progress_done=0,
        progress_total=total,
        error="",
    )
    last_write = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_INTERVAL_SECONDS:
            ExportJob.objects.filter(pk=job.pk).update(progress_done=done)
            last_write = now

    try:
        exporter = EXPORTERS[job.exporter](edition=job.edition)
        with tempfile.TemporaryFile() as handle:
            exporter.write(submissions=submissions, out=handle, progress=progress)
            sha256 = _sha256(handle)
            job.file.save(exporter.filename(), File(handle), save=False)
    except SoftTimeLimitExceeded:
        logger.error("export job %s ran out of time", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=str(_("The export took too long and was stopped.")),
            finished_at=timezone.now(),
        )
    except Exception as error:
        # Recorded on the job for the reviewer to see; retrying would fail the same way.
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
    else:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            file=job.file.name,
            file_sha256=sha256,
            progress_done=total,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


# --- Retention: export files are deleted after MSQ_EXPORT_RETENTION_DAYS -------


def export_files_cutoff(*, days: int | None = None) -> datetime:
    """The moment before which a finished export's file is expired: `days` (default:
    the MSQ_EXPORT_RETENTION_DAYS setting) ago."""
    days = settings.MSQ_EXPORT_RETENTION_DAYS if days is None else days
    if days < 0:
        raise ValueError(f"A retention of {days} days is not possible.")
    return timezone.now() - timedelta(days=days)


def _export_files_delete(names: list[str]) -> None:
    storage = ExportJob.file.field.storage
    for name in names:
        try:
            # A file already gone is what was wanted (the storage does not raise for it).
            storage.delete(name)
        except Exception:
            # The job already says expired: the file is an orphan to delete by hand, and
            # the other files are still deleted.
            logger.exception("expired export file %s could not be deleted", name)


def export_files_expire(*, older_than: datetime) -> int:
    """Delete the files of the export jobs done before `older_than`; returns how many.

    Side effects: those jobs go EXPIRED with an empty `file` (their row, with
    who exported what, when, and the file's SHA-256, is kept); once that
    commits, their files are deleted from storage. Queued, running and failed
    jobs are not touched. Idempotent; safe to run twice at once (rows are locked).
    """
    with transaction.atomic():
        expiring = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ExportJob.Status.DONE)
            # A done job always has finished_at; its request time is the fallback,
            # so that a row without it cannot keep its file forever.
            .alias(ready_at=Coalesce("finished_at", "created_at"))
            .filter(ready_at__lt=older_than)
            .values_list("pk", "file")
        )
        expired = ExportJob.objects.filter(pk__in=[pk for pk, _name in expiring]).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
        names = [name for _pk, name in expiring if name]
        # Only after the commit: a rollback must not leave a done job without its file.
        transaction.on_commit(lambda: _export_files_delete(names))
    if expired:
        logger.info("expired %d export file(s) ready before %s", expired, older_than.isoformat())
    return expired
