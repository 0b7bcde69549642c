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
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from questionnaire.exports.reading import submissions_for_export
from questionnaire.exports.registry import EXPORTERS
from questionnaire.models import Edition, ExportJob, Submission
from questionnaire.queueing import task_queue

logger = logging.getLogger(__name__)

# Where export files are stored (ExportJob.file's upload_to).
# Queued by name (questionnaire.queueing): the tasks module imports this one.
RUN_EXPORT_TASK = "questionnaire.tasks.task_run_export"
EXPORTS_DIR = "exports"
# Progress is written at most this often, so a fast export does not spend its time on it.
PROGRESS_INTERVAL_SECONDS = 1.0


class ExportRequestError(Exception):
    """An export that cannot be requested as asked; the message is for the reviewer."""


def export_job_create(
    *, edition: Edition, exporter: str, statuses: Iterable[str], user: User
) -> ExportJob:
    """Request a full export of the edition in the `exporter` format.

    Side effects: creates a QUEUED ExportJob and queues task_run_export through
    the outbox (questionnaire.queueing: sent on commit, or by the sweeper once
    the broker is back). Raises ExportRequestError for an unknown format or
    submission status.
    """
    if exporter not in EXPORTERS:
        raise ExportRequestError(_("Unknown export format."))
    statuses = sorted(set(statuses))
    if not set(statuses) <= set(Submission.Status.values):
        raise ExportRequestError(_("Unknown submission status."))
    job = ExportJob.objects.create(
        edition=edition, exporter=exporter, statuses=statuses, created_by=user
    )
    task_queue(RUN_EXPORT_TASK, job_id=job.pk)
    return job


def _sha256(handle) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


class _LeaseLost(Exception):
    """The sweeper gave the job to another run: this one stops without writing anything."""


def _lease_cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.MSQ_EXPORT_LEASE_SECONDS)


def _claim(job_id: int, total: int) -> int | None:
    """Take the job for this run with one conditional UPDATE; returns the run's number.

    The job row, not the message, decides who runs: a queued job, or a running
    one whose lease expired, is taken by exactly one run. A late redelivery of
    an old message (Redis's visibility timeout) finds it running or finished
    and does nothing.
    """
    now = timezone.now()
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=_lease_cutoff(now)
    )
    claimed = (
        ExportJob.objects.filter(claimable, pk=job_id)
        .filter(attempts__lt=settings.MSQ_EXPORT_MAX_ATTEMPTS)
        .update(
            status=ExportJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            progress_done=0,
            progress_total=total,
            error="",
        )
    )
    if not claimed:
        return None
    return ExportJob.objects.values_list("attempts", flat=True).get(pk=job_id)


def export_job_run(*, job_id: int) -> ExportJob:
    """Run a queued export job: write its file, keeping its progress and its lease up to date.

    Side effects: the job goes RUNNING (attempts + 1), then DONE with its file
    saved in the default storage (exports/), or FAILED with the error;
    heartbeat_at is written as it progresses. Idempotent: a job finished,
    running under a live lease, or out of attempts is left as it is (see _claim).
    """
    job = ExportJob.objects.select_related("edition").get(pk=job_id)
    if job.is_finished:
        return job
    submissions = submissions_for_export(edition=job.edition, statuses=job.statuses)
    total = submissions.count()
    attempt = _claim(job.pk, total)
    if attempt is None:
        logger.info("export job %s is not this run's to take (%s)", job.pk, job.status)
        job.refresh_from_db()
        return job
    # Every write of this run is conditional on still holding the job.
    mine = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=attempt)
    last_write = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_INTERVAL_SECONDS:
            if not mine.update(progress_done=done, heartbeat_at=timezone.now()):
                raise _LeaseLost
            last_write = now

    try:
        exporter = EXPORTERS[job.exporter](edition=job.edition)
        with tempfile.TemporaryFile() as handle:
            exporter.write(submissions=submissions, out=handle, progress=progress)
            sha256 = _sha256(handle)
            # Named after the job and this run, so that a file left by a run killed before
            # recording it is known for an orphan (export_files_orphaned_delete).
            job.file.save(f"{job.pk}-{attempt}-{exporter.filename()}", File(handle), save=False)
    except _LeaseLost:
        logger.warning("export job %s run %s stopped: the job went to another run", job.pk, attempt)
    except SoftTimeLimitExceeded:
        logger.error("export job %s ran out of time", job.pk)
        mine.update(
            status=ExportJob.Status.FAILED,
            error=str(_("The export took too long and was stopped.")),
            finished_at=timezone.now(),
        )
    except Exception as error:
        # Recorded on the job for the reviewer to see; retrying would fail the same way.
        logger.exception("export job %s failed", job.pk)
        mine.update(
            status=ExportJob.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
    else:
        done = mine.update(
            status=ExportJob.Status.DONE,
            file=job.file.name,
            file_sha256=sha256,
            progress_done=total,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        if not done:
            # Another run holds the job now: its own file will be the job's.
            job.file.delete(save=False)
    job.refresh_from_db()
    return job


def export_jobs_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again, or fail, the running jobs whose worker stopped (the sweeper run by beat).

    A running job without a heartbeat for MSQ_EXPORT_LEASE_SECONDS lost its
    worker (killed, out of memory, its machine gone). Returns
    {"requeued": n, "failed": n, "orphans": n}. Side effects: such a job goes
    QUEUED with worker_lost_at set and task_run_export queued again, or FAILED
    with a message for the reviewer once MSQ_EXPORT_MAX_ATTEMPTS runs were
    started; the files lost runs left unrecorded are deleted (orphans,
    export_files_orphaned_delete).
    """
    now = now or timezone.now()
    cutoff = _lease_cutoff(now)
    counts = {"requeued": 0, "failed": 0}
    lost = ExportJob.objects.filter(status=ExportJob.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    for job_id, attempts in lost.values_list("pk", "attempts"):
        # The same conditions again: the job may have moved on since it was listed.
        still_lost = lost.filter(pk=job_id, attempts=attempts)
        with transaction.atomic():
            if attempts >= settings.MSQ_EXPORT_MAX_ATTEMPTS:
                message = _(
                    "The worker running this export stopped %(count)d times, the last time"
                    " at %(time)s UTC. Request the export again; if it stops again, tell the"
                    " portal's operators (the worker may be running out of memory)."
                ) % {"count": attempts, "time": now.strftime("%Y-%m-%d %H:%M")}
                if still_lost.update(
                    status=ExportJob.Status.FAILED,
                    error=str(message),
                    worker_lost_at=now,
                    finished_at=now,
                ):
                    counts["failed"] += 1
            elif still_lost.update(
                status=ExportJob.Status.QUEUED, worker_lost_at=now, heartbeat_at=None
            ):
                task_queue(RUN_EXPORT_TASK, job_id=job_id)
                counts["requeued"] += 1
    if any(counts.values()):
        logger.warning("export jobs whose worker stopped: %s", counts)
    counts["orphans"] = export_files_orphaned_delete(now=now)
    return counts


def export_files_orphaned_delete(*, now: datetime | None = None) -> int:
    """Delete the files in exports/ that no job points to and that are older than the lease.

    A run killed after writing its file (or part of it) and before recording it
    on the job leaves such a file; nothing else would ever delete it. A younger
    file may be a live run's, about to be recorded, and is left for a later sweep.
    Lists through the storage, so it works on local disk and on a bucket alike.
    Returns how many were deleted.
    """
    storage = ExportJob.file.field.storage
    cutoff = _lease_cutoff(now or timezone.now())
    try:
        _dirs, files = storage.listdir(EXPORTS_DIR)
    except FileNotFoundError:  # no export written yet
        return 0
    # Read after the listing: a file recorded meanwhile is not taken for an orphan.
    referenced = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    orphans = []
    for file in files:
        name = f"{EXPORTS_DIR}/{file}"
        if name in referenced:
            continue
        try:
            if storage.get_modified_time(name) >= cutoff:
                continue
        except FileNotFoundError:  # deleted since it was listed
            continue
        orphans.append(name)
    if orphans:
        logger.warning("deleting %d export file(s) no job points to: %s", len(orphans), orphans)
        _export_files_delete(orphans)
    return len(orphans)


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
            # The next orphan sweep tries again (no job points to it); the other files
            # are still deleted.
            logger.exception("export file %s could not be deleted", name)


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
