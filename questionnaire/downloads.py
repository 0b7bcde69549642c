"""Downloads of submission PDFs: the stored record of a submitted version, and the draft preview.

The country's officials and DPIDG reviewers may download a submission's PDF;
everyone else gets a 404, as for any other country's submission. The files
are private: they are read from storage here, never served from MEDIA_URL.
"""

import logging

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import is_reviewer, official_country
from questionnaire.models import Submission
from questionnaire.pdf import submission_pdf
from questionnaire.selectors import submission_ordinal, submission_snapshot

logger = logging.getLogger(__name__)


def _submission_for_pdf(user, submission_id: int) -> Submission:
    """The submission if `user` is a reviewer or an official of its country; 404 otherwise."""
    submissions = Submission.objects.select_related("edition", "country")
    if is_reviewer(user):
        return get_object_or_404(submissions, pk=submission_id)
    return get_object_or_404(submissions, pk=submission_id, country=official_country(user))


def _filename(submission: Submission, *, draft: bool = False) -> str:
    """The download's name: which submission it is as officials count them, and its date
    ("MSQ-2020-UZB-submission-1-2026-11-30.pdf"), or the preview's date; never the save
    counter."""
    prefix = f"MSQ-{submission.edition.year}-{submission.country.iso3}"
    if draft:
        return f"{prefix}-draft-{timezone.localdate():%Y-%m-%d}.pdf"
    number, at = submission_ordinal(submission=submission, version=submission.pdf_version)
    day = f"-{timezone.localtime(at):%Y-%m-%d}" if at else ""
    return f"{prefix}-submission-{number}{day}.pdf"


@require_GET
@never_cache
def submission_pdf_download(request, submission_id: int):
    """The stored PDF of the submission's last rendered version, as an attachment."""
    submission = _submission_for_pdf(request.user, submission_id)
    if not submission.pdf.name or submission.pdf_version is None:
        raise Http404(_("The PDF of this submission is not ready yet."))
    try:
        file = default_storage.open(submission.pdf.name, "rb")
    except OSError as error:
        logger.error("PDF of submission %s is recorded but unreadable: %s", submission.pk, error)
        raise Http404(_("The PDF of this submission is not available.")) from error
    return FileResponse(
        file,
        as_attachment=True,
        filename=_filename(submission),
        content_type="application/pdf",
    )


@require_GET
@never_cache
def submission_pdf_preview(request, submission_id: int):
    """The country's answers as they stand, rendered now and marked DRAFT on every page.

    Officials of the country only: reviewers read submitted versions.
    """
    country = official_country(request.user)
    submission = get_object_or_404(
        Submission.objects.select_related("edition", "country", "submitted_by", "consent_by"),
        pk=submission_id,
        country=country,
    )
    try:
        content = submission_pdf(submission_snapshot(submission=submission), draft=True)
    except Exception:
        logger.exception("Draft preview of submission %s failed", submission.pk)
        return render(request, "pdf/preview_failed.html", {"submission": submission}, status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(submission, draft=True)}"'
    return response
