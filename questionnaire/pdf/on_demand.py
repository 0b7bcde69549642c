"""PDFs rendered by a worker when a page asks for them: an official's draft preview, and a
reviewer's copy of a submitted version in another language.

Both follow one pattern, written once in `OnDemandPdf`: the page queues the
rendering of (submission, version, language) unless a lease in the shared
cache says it is queued or rendering; the worker renders it into storage;
meanwhile the page answers 202 and waits (static/js/preview-wait.js). A
rendering error is remembered for MSQ_PDF_LEASE_SECONDS so that the page shows
it instead of waiting. The two differ only in which version they render, when
that version is stale, and how the file is named and kept (the subclasses).
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from questionnaire.models import Submission
from questionnaire.pdf import files, render
from questionnaire.pdf.files import PdfOutcome
from questionnaire.pdf.services import pdf_stale_reason
from questionnaire.queueing import task_send
from questionnaire.selectors import submission_snapshot

logger = logging.getLogger(__name__)


class OnDemandPdf:
    """One kind of PDF rendered on demand, once per (submission, version, language)."""

    key_prefix: str  # names its leases and remembered failures in the cache
    task_name: str  # the task that renders it (questionnaire.tasks)
    draft: bool  # rendered with the draft watermark

    def version_of(self, submission: Submission) -> int | None:
        """The version a page asks for (None: there is nothing to render)."""
        raise NotImplementedError

    def is_stale(self, submission: Submission, version: int) -> bool:
        """Whether `version` can no longer be rendered from the submission's answers."""
        raise NotImplementedError

    def read(self, *, submission: Submission, version: int, language: str) -> bytes | None:
        """The stored file's bytes, None if there is none (or it does not verify)."""
        raise NotImplementedError

    def store(self, *, submission: Submission, version: int, language: str, content: bytes):
        raise NotImplementedError

    def _key(self, kind: str, submission_id: int, version: int | None, language: str) -> str:
        return f"{self.key_prefix}-{kind}:{submission_id}:{version}:{language}"

    def state(self, *, submission: Submission, language: str) -> str:
        """ "ready", "failed" or "pending" for the version a page asks for, in `language`."""
        version = self.version_of(submission)
        if version is not None and self.is_stored(
            submission=submission, version=version, language=language
        ):
            return "ready"
        if cache.get(self._key("failed", submission.pk, version, language)):
            return "failed"
        return "pending"

    def is_stored(self, *, submission: Submission, version: int, language: str) -> bool:
        return self.read(submission=submission, version=version, language=language) is not None

    def is_queued(self, *, submission: Submission, language: str) -> bool:
        """Whether the version a page asks for is queued or rendering."""
        version = self.version_of(submission)
        return bool(cache.get(self._key("lease", submission.pk, version, language)))

    def failure_forget(self, *, submission: Submission, language: str) -> None:
        """Let the next request try again after a failure has been shown once."""
        version = self.version_of(submission)
        cache.delete(self._key("failed", submission.pk, version, language))

    def render_queue(self, *, submission: Submission, language: str) -> bool:
        """Queue the rendering of the version a page asks for, unless it is queued already.

        Returns whether it queued. Not on commit: the rendering reads what is
        already committed, and the page asks for it at once (on the embedded
        default the task runs here, in this call).
        """
        version = self.version_of(submission)
        if version is None:
            return False
        if not cache.add(
            self._key("lease", submission.pk, version, language), 1, timeout=files.lease_seconds()
        ):
            return False
        task_send(self.task_name, submission_id=submission.pk, version=version, language=language)
        return True

    def render(self, *, submission_id: int, version: int, language: str) -> PdfOutcome:
        """Render `version` in `language` (wording and interface) into storage, once (the task).

        STALE when the submission moved past `version` (the page asks again).
        Side effects: the stored file (`store`); the lease released.
        """
        submission = (
            Submission.objects.select_related("edition", "country", "submitted_by", "consent_by")
            .filter(pk=submission_id)
            .first()
        )
        try:
            if submission is None:
                return PdfOutcome.MISSING
            if self.is_stale(submission, version):
                return PdfOutcome.STALE
            if self.is_stored(submission=submission, version=version, language=language):
                return PdfOutcome.UNCHANGED
            try:
                content = render.submission_pdf(
                    submission_snapshot(submission=submission), draft=self.draft, language=language
                )
            except Exception:
                logger.exception("PDF of submission %s in %s failed", submission.pk, language)
                failed = self._key("failed", submission_id, version, language)
                cache.set(failed, 1, timeout=files.lease_seconds())
                return PdfOutcome.FAILED
            self.store(submission=submission, version=version, language=language, content=content)
            return PdfOutcome.RENDERED
        finally:
            cache.delete(self._key("lease", submission_id, version, language))


PREVIEW_DIR = "previews"


def preview_storage_name(*, submission_id: int, version: int, language: str) -> str:
    return f"{PREVIEW_DIR}/{submission_id}-v{version}-{language}.pdf"


class DraftPreview(OnDemandPdf):
    """An official's preview of the draft as it is now; only the newest one is kept."""

    key_prefix = "pdf-preview"
    task_name = "questionnaire.tasks.task_render_preview_pdf"
    draft = True

    def version_of(self, submission: Submission) -> int:
        return submission.version

    def is_stale(self, submission: Submission, version: int) -> bool:
        return submission.version != version

    def is_stored(self, *, submission: Submission, version: int, language: str) -> bool:
        # Existence is enough (a preview has no recorded digest), and cheaper than a read.
        name = preview_storage_name(submission_id=submission.pk, version=version, language=language)
        return default_storage.exists(name)

    def read(self, *, submission: Submission, version: int, language: str) -> bytes | None:
        name = preview_storage_name(submission_id=submission.pk, version=version, language=language)
        return files.stored_bytes(name)

    def store(self, *, submission: Submission, version: int, language: str, content: bytes):
        name = preview_storage_name(submission_id=submission.pk, version=version, language=language)
        stored = default_storage.save(name, ContentFile(content))
        self._older_deleted(submission_id=submission.pk, keep=stored)

    @staticmethod
    def _older_deleted(*, submission_id: int, keep: str) -> None:
        """Delete the submission's previews other than `keep` (older versions, other languages)."""
        try:
            _dirs, names = default_storage.listdir(PREVIEW_DIR)
        except FileNotFoundError:
            return
        for file in names:
            name = f"{PREVIEW_DIR}/{file}"
            if file.startswith(f"{submission_id}-v") and name != keep:
                files.delete_quietly(name)


COPY_DIR = "submissions/pdf"


def _copy_prefix(*, submission: Submission, version: int, language: str) -> str:
    return f"{submission.country.iso3}-{submission.edition.code}-v{version}-{language}-"


def pdf_copy_storage_name(
    *, submission: Submission, version: int, language: str, sha256: str
) -> str:
    prefix = _copy_prefix(submission=submission, version=version, language=language)
    return f"{COPY_DIR}/{prefix}{sha256[:16]}.pdf"


class LanguageCopy(OnDemandPdf):
    """A submitted version in another language than the official's (a reviewer's English copy).

    Stored under a content-addressed name like the submitted PDF: the name
    carries the first 16 hex digits of its SHA-256, checked on every read.
    """

    key_prefix = "pdf-copy"
    task_name = "questionnaire.tasks.task_render_submission_pdf_copy"
    draft = False

    def version_of(self, submission: Submission) -> int | None:
        return submission.submitted_version

    def is_stale(self, submission: Submission, version: int) -> bool:
        return bool(pdf_stale_reason(submission, version))

    def read(self, *, submission: Submission, version: int, language: str) -> bytes | None:
        prefix = _copy_prefix(submission=submission, version=version, language=language)
        try:
            _dirs, names = default_storage.listdir(COPY_DIR)
        except FileNotFoundError:
            return None
        for file in sorted(names):
            if not (file.startswith(prefix) and file.endswith(".pdf")):
                continue
            content = files.stored_bytes(f"{COPY_DIR}/{file}")
            digest = file.removeprefix(prefix).removesuffix(".pdf")
            if content is not None and hashlib.sha256(content).hexdigest()[:16] == digest:
                return content
        return None

    def store(self, *, submission: Submission, version: int, language: str, content: bytes):
        sha256 = hashlib.sha256(content).hexdigest()
        name = pdf_copy_storage_name(
            submission=submission, version=version, language=language, sha256=sha256
        )
        if not files.file_has(name, sha256):
            default_storage.save(name, ContentFile(content))


DRAFT_PREVIEWS = DraftPreview()
LANGUAGE_COPIES = LanguageCopy()


def pdf_copy_read(*, submission: Submission, language: str) -> bytes | None:
    """The stored copy of the submitted version in `language`, if one exists and verifies."""
    version = submission.submitted_version
    if version is None:
        return None
    return LANGUAGE_COPIES.read(submission=submission, version=version, language=language)


# The names the download pages and the tasks call.
preview_state = DRAFT_PREVIEWS.state
preview_is_queued = DRAFT_PREVIEWS.is_queued
preview_failure_forget = DRAFT_PREVIEWS.failure_forget
preview_render_queue = DRAFT_PREVIEWS.render_queue
preview_render = DRAFT_PREVIEWS.render
pdf_copy_state = LANGUAGE_COPIES.state
pdf_copy_failure_forget = LANGUAGE_COPIES.failure_forget
pdf_copy_render_queue = LANGUAGE_COPIES.render_queue
pdf_copy_render = LANGUAGE_COPIES.render
