"""Writes around submission PDFs: render a submitted version once, store it, queue it, sweep.

The PDF of a submitted version is produced once, whatever happens to workers
and the broker: `submission_pdf_render` does nothing when the file of that
version is stored and its SHA-256 still matches. A render writes a new file
under a content-addressed name (`pdf_storage_name`) first, then points the row
at it in a short transaction, and deletes the superseded file only after that
commits: a worker killed at any moment leaves the row pointing at a complete
file whose digest it records (at worst an unreferenced new file). This needs
no atomic rename, so it holds on object storage too. The sweeper
(`pdf_render_queue_missing`, run by celery beat) queues every submitted version
whose PDF is missing, gone or not matching its digest; a lease in the shared
cache keeps it, the command and the download pages from queueing one version twice.

Draft previews and copies in another language, rendered when a page asks for
them, are in questionnaire.pdf.on_demand.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.languages import language_supported
from questionnaire.models import Edition, Submission, SubmissionEvent
from questionnaire.pdf import render
from questionnaire.pdf.files import (
    PdfOutcome,
    delete_quietly,
    file_has,
    lease_seconds,
    stored_bytes,
)
from questionnaire.queueing import task_send
from questionnaire.selectors import submission_snapshot

logger = logging.getLogger(__name__)

PDF_ERROR_MAX_LENGTH = 2_000
# Queued by name (questionnaire.queueing): the tasks module imports this one.
RENDER_PDF_TASK = "questionnaire.tasks.task_render_submission_pdf"


def pdf_storage_name(*, submission: Submission, version: int, sha256: str) -> str:
    """Where a rendering is stored: named by its content, so a new one never replaces a file
    the database points to (object storage has no atomic rename to do that safely)."""
    return (
        f"submissions/pdf/{submission.country.iso3}-{submission.edition.code}"
        f"-v{version}-{sha256[:16]}.pdf"
    )


def submission_pdf_language(submission: Submission) -> str:
    """The language of the submitted PDF: the submitter's (English for older submissions or a
    language no longer offered)."""
    return language_supported(submission.language)


def pdf_read_verified(*, submission: Submission) -> bytes | None:
    """The recorded PDF's bytes if its file exists and matches the recorded SHA-256, else None."""
    if not submission.pdf.name or not submission.pdf_sha256:
        return None
    content = stored_bytes(submission.pdf.name)
    if content is None:
        return None
    if hashlib.sha256(content).hexdigest() != submission.pdf_sha256:
        logger.error(
            "PDF of submission %s does not match its SHA-256: %s",
            submission.pk,
            submission.pdf.name,
        )
        return None
    return content


def pdf_is_stored(*, submission: Submission, version: int) -> bool:
    """Whether the PDF of `version` is recorded on the submission, exists and verifies."""
    return (
        submission.pdf_version == version and pdf_read_verified(submission=submission) is not None
    )


def _lease_key(submission_id: int, version: int) -> str:
    return f"pdf-render:{submission_id}:{version}"


def pdf_lease_take(*, submission_id: int, version: int) -> bool:
    """Claim the rendering of (submission, version); False if one was queued or started lately."""
    return cache.add(_lease_key(submission_id, version), 1, timeout=lease_seconds())


def pdf_lease_release(*, submission_id: int, version: int) -> None:
    cache.delete(_lease_key(submission_id, version))


def pdf_stale_reason(submission: Submission, version: int) -> str:
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
    if reason := pdf_stale_reason(submission, version):
        logger.info("PDF of submission %s not rendered: %s", submission_id, reason)
        return PdfOutcome.STALE
    if not force and pdf_is_stored(submission=submission, version=version):
        return PdfOutcome.UNCHANGED

    snapshot = submission_snapshot(submission=submission)
    try:
        content = render.submission_pdf(snapshot, language=submission_pdf_language(submission))
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

    sha256 = hashlib.sha256(content).hexdigest()
    name = pdf_storage_name(submission=submission, version=version, sha256=sha256)
    # The file first, under a name no row points to yet; the row only once it is complete.
    # The same bytes already stored under their name (a rerun) are used as they are.
    wrote = not file_has(name, sha256)
    stored_name = default_storage.save(name, ContentFile(content)) if wrote else name
    superseded = ""
    try:
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission_id)
            locked.country, locked.edition = submission.country, submission.edition
            # Another worker may have stored it while this one rendered (unless the row
            # names the very file just written: the same bytes, rendered again).
            if (
                not force
                and locked.pdf.name != stored_name
                and pdf_is_stored(submission=locked, version=version)
            ):
                outcome = PdfOutcome.UNCHANGED
            elif pdf_stale_reason(locked, version):
                outcome = PdfOutcome.STALE
            else:
                outcome = PdfOutcome.RENDERED
                superseded = locked.pdf.name
                locked.pdf.name = stored_name
                locked.pdf_sha256 = sha256
                locked.pdf_version = version
                locked.pdf_rendered_at = timezone.now()
                locked.pdf_error = ""
                locked.save(
                    update_fields=[
                        "pdf",
                        "pdf_sha256",
                        "pdf_version",
                        "pdf_rendered_at",
                        "pdf_error",
                    ]
                )
                SubmissionEvent.objects.create(
                    submission=locked,
                    kind=SubmissionEvent.Kind.PDF_RENDERED,
                    version=version,
                    after={"file": stored_name, "sha256": sha256, "bytes": len(content)},
                )
                if superseded and superseded != stored_name:
                    # Only once the row no longer points to it (never if this rolls back).
                    transaction.on_commit(lambda: delete_quietly(superseded))
    except BaseException:
        if wrote:
            delete_quietly(stored_name)
        raise
    if outcome != PdfOutcome.RENDERED and wrote:
        delete_quietly(stored_name)
    return outcome


def pdf_render_queue(*, submission: Submission, force: bool = False) -> bool:
    """Queue the rendering of the submission's submitted version once the transaction commits.

    Returns False (and queues nothing) for a submission never submitted, or,
    without `force`, when a render of that version was queued within
    MSQ_PDF_LEASE_SECONDS (the sweeper, the command and a download asking for a
    repair at once queue it once). With `force` the stored PDF is rendered
    again (the admin action, the command's --country) whatever the lease.
    Side effects: a task_render_submission_pdf message on commit; nothing if
    the transaction rolls back (the lease then simply expires).
    """
    version = submission.submitted_version
    if version is None:
        return False
    submission_id = submission.pk
    if not pdf_lease_take(submission_id=submission_id, version=version) and not force:
        return False
    transaction.on_commit(
        lambda: task_send(
            RENDER_PDF_TASK,
            submission_id=submission_id,
            version=version,
            force=force,
        )
    )
    return True


def _failed_version() -> Exists:
    return Exists(
        SubmissionEvent.objects.filter(
            submission=OuterRef("pk"),
            kind=SubmissionEvent.Kind.PDF_FAILED,
            version=OuterRef("submitted_version"),
        )
    )


def _submitted(edition: Edition | None) -> QuerySet[Submission]:
    """Submitted versions, leaving out versions that already failed.

    A failed version waits for staff (admin action or `render_pdfs`), so that
    a document that cannot be rendered is not retried every few minutes.
    """
    queryset = (
        Submission.objects.filter(submitted_version__isnull=False)
        .exclude(status=Submission.Status.DRAFT)
        .exclude(_failed_version())
        .select_related("country", "edition")
        .order_by("submitted_at", "pk")
    )
    if edition is not None:
        queryset = queryset.filter(edition=edition)
    return queryset


def submissions_missing_pdf(*, edition: Edition | None = None) -> QuerySet[Submission]:
    """Submitted versions whose PDF is not recorded, leaving out versions that already failed."""
    return _submitted(edition).filter(
        Q(pdf_version__isnull=True) | ~Q(pdf_version=F("submitted_version"))
    )


def submissions_pdf_to_repair(*, edition: Edition | None = None) -> list[Submission]:
    """Submitted versions whose PDF is recorded but whose file is gone or does not verify.

    Reads every recorded file (a few hundred kB each, 193 countries per edition).
    """
    recorded = _submitted(edition).filter(pdf_version=F("submitted_version"))
    return [
        submission
        for submission in recorded.iterator(chunk_size=200)
        if pdf_read_verified(submission=submission) is None
    ]


def pdf_render_queue_missing(*, now=None) -> int:
    """Queue every submitted version without a sound PDF (the periodic sweeper).

    A version without its PDF is left alone for MSQ_PDF_SWEEP_GRACE_SECONDS (its submit queued
    it); a recorded PDF that is gone or fails its SHA-256 is queued at once.
    Returns how many were queued. Side effects: task messages, one per
    submission and version within MSQ_PDF_LEASE_SECONDS.
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.MSQ_PDF_SWEEP_GRACE_SECONDS)
    queued = 0
    for submission in submissions_missing_pdf().filter(submitted_at__lt=cutoff):
        queued += pdf_render_queue(submission=submission)
    for submission in submissions_pdf_to_repair():
        queued += pdf_render_queue(submission=submission)
    return queued
