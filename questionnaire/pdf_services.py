"""Writes around submission PDFs: render a submitted version once, store it, queue it, sweep.

The PDF of a submitted version is produced exactly once, whatever happens to
workers and the broker: `submission_pdf_render` does nothing when the file of
that version is already stored, stores under a name fixed by (country,
edition, version) so that a rerun overwrites instead of adding a file, and
records the result under a row lock. The sweeper (`pdf_render_queue_missing`,
run by celery beat) queues every submitted version still without its PDF, so a
task lost to a broker outage at submit time is rendered a few minutes later.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from enum import StrEnum

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from questionnaire.models import Edition, Submission, SubmissionEvent
from questionnaire.pdf import submission_pdf
from questionnaire.selectors import submission_snapshot

logger = logging.getLogger(__name__)

# A submission this recent is left to the task its submission queued; the
# sweeper only picks up what that task should long have done.
SWEEP_GRACE = timedelta(minutes=2)
PDF_ERROR_MAX_LENGTH = 2_000


class PdfOutcome(StrEnum):
    RENDERED = "rendered"
    UNCHANGED = "unchanged"  # that version's PDF is already stored: nothing done
    STALE = "stale"  # the version is no longer the submitted one, or its answers changed
    FAILED = "failed"  # recorded in pdf_error and a PDF_FAILED event
    MISSING = "missing"  # no such submission (deleted since it was queued)


def pdf_storage_name(*, submission: Submission, version: int) -> str:
    """Where the PDF of a version is stored: one name per (country, edition, version)."""
    return f"submissions/pdf/{submission.country.iso3}-{submission.edition.code}-v{version}.pdf"


def pdf_is_stored(*, submission: Submission, version: int) -> bool:
    """Whether the PDF of `version` is recorded on the submission and its file exists."""
    return bool(
        submission.pdf_version == version
        and submission.pdf.name
        and default_storage.exists(submission.pdf.name)
    )


def _stale_reason(submission: Submission, version: int) -> str:
    """Why `version` of the submission cannot be rendered from its answers now ("" if it can)."""
    if submission.submitted_version != version:
        return f"version {version} is not the submitted version ({submission.submitted_version})"
    if submission.status in {Submission.Status.DRAFT, Submission.Status.RETURNED}:
        # Editable again: the answers may have moved on from what was submitted.
        changed = submission.answers.filter(updated_at__gt=submission.submitted_at).exists()
        if changed:
            return f"answers changed since version {version} was submitted"
    return ""


def pdf_failure_record(*, submission_id: int, version: int, message: str) -> None:
    """Record that the PDF of a version could not be rendered, for staff to see.

    Side effects: sets Submission.pdf_error; appends a PDF_FAILED event whose
    `version` is the version that failed (the sweeper skips that version).
    """
    message = message[:PDF_ERROR_MAX_LENGTH]
    with transaction.atomic():
        submission = Submission.objects.select_for_update().filter(pk=submission_id).first()
        if submission is None:
            return
        submission.pdf_error = f"Version {version}: {message}"
        submission.save(update_fields=["pdf_error"])
        SubmissionEvent.objects.create(
            submission=submission,
            kind=SubmissionEvent.Kind.PDF_FAILED,
            version=version,
            message=message,
        )
    logger.error("PDF of submission %s version %s failed: %s", submission_id, version, message)


def submission_pdf_render(*, submission_id: int, version: int, force: bool = False) -> PdfOutcome:
    """Render, store and record the PDF of a submitted version, unless it is stored already.

    Idempotent per (submission, version): a rerun or a redelivered task finds
    the stored file and does nothing (`force` renders again and overwrites
    it). Rendering errors are recorded (pdf_failure_record) and not raised;
    database and storage errors are raised so that the task retries them.

    Side effects: writes `pdf_storage_name()` through the default storage
    (replacing an earlier file of the same version); sets pdf, pdf_sha256,
    pdf_version, pdf_rendered_at and clears pdf_error (update_fields); appends
    a PDF_RENDERED event whose `version` is the rendered version.
    """
    submission = (
        Submission.objects.select_related("edition", "country", "submitted_by", "consent_by")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return PdfOutcome.MISSING
    if reason := _stale_reason(submission, version):
        logger.info("PDF of submission %s not rendered: %s", submission_id, reason)
        return PdfOutcome.STALE
    if not force and pdf_is_stored(submission=submission, version=version):
        return PdfOutcome.UNCHANGED

    snapshot = submission_snapshot(submission=submission)
    try:
        content = submission_pdf(snapshot)
    except Exception as error:
        # WeasyPrint, the template or the time limit: rerunning would fail the
        # same way, so staff are told instead (Celery's soft time limit raises
        # SoftTimeLimitExceeded, an Exception, inside the renderer).
        pdf_failure_record(
            submission_id=submission_id,
            version=version,
            message=f"{type(error).__name__}: {error}",
        )
        return PdfOutcome.FAILED

    name = pdf_storage_name(submission=submission, version=version)
    sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission_id)
        locked.country, locked.edition = submission.country, submission.edition
        # Another worker may have stored it while this one rendered.
        if not force and pdf_is_stored(submission=locked, version=version):
            return PdfOutcome.UNCHANGED
        if _stale_reason(locked, version):
            return PdfOutcome.STALE
        if default_storage.exists(name):
            default_storage.delete(name)
        stored_name = default_storage.save(name, ContentFile(content))
        locked.pdf.name = stored_name
        locked.pdf_sha256 = sha256
        locked.pdf_version = version
        locked.pdf_rendered_at = timezone.now()
        locked.pdf_error = ""
        locked.save(
            update_fields=["pdf", "pdf_sha256", "pdf_version", "pdf_rendered_at", "pdf_error"]
        )
        SubmissionEvent.objects.create(
            submission=locked,
            kind=SubmissionEvent.Kind.PDF_RENDERED,
            version=version,
            after={"file": stored_name, "sha256": sha256, "bytes": len(content)},
        )
    return PdfOutcome.RENDERED


def pdf_render_queue(*, submission: Submission, force: bool = False) -> bool:
    """Queue the rendering of the submission's submitted version once the transaction commits.

    Returns False (and queues nothing) for a submission never submitted. With
    `force` the stored PDF is rendered again (the admin action, the command).
    Side effects: a task_render_submission_pdf message on commit; nothing if
    the transaction rolls back.
    """
    # Imported here: the tasks module imports this one.
    from questionnaire.tasks import task_render_submission_pdf

    version = submission.submitted_version
    if version is None:
        return False
    submission_id = submission.pk
    transaction.on_commit(
        lambda: task_render_submission_pdf.delay(
            submission_id=submission_id, version=version, force=force
        )
    )
    return True


def submissions_missing_pdf(*, edition: Edition | None = None) -> QuerySet[Submission]:
    """Submitted versions whose PDF is not recorded, leaving out versions that already failed.

    A failed version waits for staff (admin action or `render_pdfs`), so that
    a document that cannot be rendered is not retried every few minutes.
    """
    failed = SubmissionEvent.objects.filter(
        submission=OuterRef("pk"),
        kind=SubmissionEvent.Kind.PDF_FAILED,
        version=OuterRef("submitted_version"),
    )
    queryset = (
        Submission.objects.filter(submitted_version__isnull=False)
        .exclude(status=Submission.Status.DRAFT)
        .filter(Q(pdf_version__isnull=True) | ~Q(pdf_version=F("submitted_version")))
        .exclude(Exists(failed))
        .select_related("country", "edition")
        .order_by("submitted_at", "pk")
    )
    if edition is not None:
        queryset = queryset.filter(edition=edition)
    return queryset


def pdf_render_queue_missing(*, now=None) -> int:
    """Queue every submitted version still without its PDF (the periodic sweeper).

    Returns how many were queued. Side effects: task messages, one per submission.
    """
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    queued = 0
    for submission in submissions_missing_pdf().filter(submitted_at__lt=cutoff):
        queued += pdf_render_queue(submission=submission)
    return queued
