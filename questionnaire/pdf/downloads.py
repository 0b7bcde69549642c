"""Downloads of submission PDFs: the stored record of a submitted version, and the draft preview.

The country's officials and DPIDG reviewers may download a submission's PDF;
everyone else gets a 404, as for any other country's submission. The files
are private: they are read from storage here, never served from MEDIA_URL.
A stored PDF is served only if it matches the SHA-256 recorded when it was
rendered; otherwise a re-render is queued and the page says so. Draft previews
and copies in another language are rendered by a worker, never in the web
process (questionnaire.pdf.on_demand).
"""

import io
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from msq_portal.ratelimit import rate_limit_exceeded
from msq_portal.storage import STORAGE_ERRORS
from questionnaire.access import own_submission_or_404, submission_visible_or_404
from questionnaire.models import Submission
from questionnaire.pdf.on_demand import (
    pdf_copy_failure_forget,
    pdf_copy_read,
    pdf_copy_render_queue,
    pdf_copy_state,
    preview_failure_forget,
    preview_is_queued,
    preview_render_queue,
    preview_state,
    preview_storage_name,
)
from questionnaire.pdf.services import pdf_read_verified, pdf_render_queue, submission_pdf_language
from questionnaire.selectors import submission_ordinal

logger = logging.getLogger(__name__)

# Each preview of a new draft version costs a worker a few seconds: an official
# may ask for this many in PREVIEW_WINDOW_SECONDS (a preview already made is free).
PREVIEW_LIMIT = 10
PREVIEW_WINDOW_SECONDS = 10 * 60


def _submission_for_pdf(user, submission_id: int) -> Submission:
    """The submission if `user` is a reviewer or an official of its country; 404 otherwise."""
    return submission_visible_or_404(user=user, submission_id=submission_id)


def _filename(submission: Submission, *, draft: bool = False, language: str = "") -> str:
    """The download's name: which submission it is as officials count them, and its date
    ("MSQ-2020-UZB-submission-1-2026-11-30.pdf"), or the preview's date; never the save
    counter."""
    prefix = f"MSQ-{submission.edition.year}-{submission.country.iso3}"
    if draft:
        return f"{prefix}-draft-{timezone.localdate():%Y-%m-%d}.pdf"
    # A copy in another language is of the submitted version; the stored PDF of its own.
    version = submission.submitted_version if language else submission.pdf_version
    number, at = submission_ordinal(submission=submission, version=version)
    day = f"-{timezone.localtime(at):%Y-%m-%d}" if at else ""
    suffix = f"-{language}" if language else ""
    return f"{prefix}-submission-{number}{day}{suffix}.pdf"


@require_GET
@never_cache
def submission_pdf_download(request, submission_id: int):
    """The stored PDF of the submission's last rendered version, as an attachment."""
    submission = _submission_for_pdf(request.user, submission_id)
    if not submission.pdf.name or submission.pdf_version is None:
        raise Http404(_("The PDF of this submission is not ready yet."))
    try:
        content = pdf_read_verified(submission=submission)
    except STORAGE_ERRORS as error:
        # The disk or the bucket does not answer just now: the file is not lost, so no repair.
        logger.error("PDF of submission %s is unreadable for now: %s", submission.pk, error)
        return render(request, "pdf/storage_unavailable.html", status=503)
    if content is None:
        # Gone or not the file that was rendered: never serve it; have it rendered again.
        pdf_render_queue(submission=submission)
        return render(request, "pdf/pdf_repairing.html", {"submission": submission}, status=503)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=_filename(submission),
        content_type="application/pdf",
    )


@require_GET
@never_cache
def submission_pdf_preview(request, submission_id: int):
    """The country's answers as they stand, rendered now and marked DRAFT on every page.

    Officials of the country only: reviewers read submitted versions. The file
    is rendered by a worker, once per draft version and language: the same
    version is served at once; otherwise the page waits for it (static JS polls
    `?check=1`; without JS, a Refresh link). Rendering a new version counts
    against the official's PREVIEW_LIMIT; past it, a 429 page says when to retry.
    """
    submission = own_submission_or_404(user=request.user, submission_id=submission_id)
    language = get_language() or "en"
    state = preview_state(submission=submission, language=language)
    if request.GET.get("check"):
        return JsonResponse({"state": state})
    # Only a new rendering counts against the limit: a Refresh while it is made is free.
    if state == "pending" and not preview_is_queued(submission=submission, language=language):
        if rate_limit_exceeded(
            scope="pdf-preview",
            key=str(request.user.pk),
            limit=PREVIEW_LIMIT,
            window_seconds=PREVIEW_WINDOW_SECONDS,
        ):
            return _preview_rate_limited(request, submission)
        preview_render_queue(submission=submission, language=language)
        # On the embedded default the task ran just now, in this process.
        state = preview_state(submission=submission, language=language)
    if state == "failed":
        preview_failure_forget(submission=submission, language=language)
        return render(request, "pdf/preview_failed.html", {"submission": submission}, status=503)
    if state == "pending":
        return _preview_preparing(request, submission)
    name = preview_storage_name(
        submission_id=submission.pk, version=submission.version, language=language
    )
    try:
        file = default_storage.open(name, "rb")
    except FileNotFoundError:  # replaced by a newer version's preview just now
        return _preview_preparing(request, submission)
    return FileResponse(
        file,
        as_attachment=True,
        filename=_filename(submission, draft=True),
        content_type="application/pdf",
    )


@require_GET
@never_cache
def submission_pdf_in_language(request, submission_id: int, language: str):
    """The submitted version in `language` (any offered one; reviewers read English), rendered
    by a worker on first request and kept: the page waits meanwhile (static JS polls
    `?check=1`; without JS, a Refresh link). The submission's own language is the stored PDF."""
    submission = _submission_for_pdf(request.user, submission_id)
    if submission.submitted_version is None or language not in dict(settings.LANGUAGES):
        raise Http404(_("No such PDF."))
    if language == submission_pdf_language(submission):
        return redirect("questionnaire:submission_pdf", submission_id=submission.pk)
    try:
        state = pdf_copy_state(submission=submission, language=language)
        if request.GET.get("check"):
            return JsonResponse({"state": state})
        if state == "pending":
            pdf_copy_render_queue(submission=submission, language=language)
            # On the embedded default the task ran just now, in this process.
            state = pdf_copy_state(submission=submission, language=language)
        content = pdf_copy_read(submission=submission, language=language)
    except STORAGE_ERRORS as error:
        logger.error("PDF copy of submission %s is unreadable for now: %s", submission.pk, error)
        return render(request, "pdf/storage_unavailable.html", status=503)
    if state == "failed":
        pdf_copy_failure_forget(submission=submission, language=language)
        return render(request, "pdf/copy_failed.html", {"submission": submission}, status=503)
    if content is None:
        return _preview_preparing(request, submission, copy=True)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=_filename(submission, language=language),
        content_type="application/pdf",
    )


def _preview_preparing(request, submission: Submission, *, copy: bool = False) -> HttpResponse:
    return render(
        request,
        "pdf/preview_preparing.html",
        {"submission": submission, "check_url": f"{request.path}?check=1", "copy": copy},
        status=202,
    )


def _preview_rate_limited(request, submission: Submission) -> HttpResponse:
    minutes = PREVIEW_WINDOW_SECONDS // 60
    response = render(
        request,
        "pdf/preview_rate_limited.html",
        {"submission": submission, "minutes": minutes, "limit": PREVIEW_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(PREVIEW_WINDOW_SECONDS)
    return response
