"""Submission PDFs: a SubmissionSnapshot rendered to HTML by a template, then to PDF by WeasyPrint.

Nothing here writes: storing the file and recording it on the submission is
done by questionnaire.pdf_services. Answers reach the template as plain values
and Django escapes them, so an answer is always text, never markup.

WeasyPrint gets `StaticOnlyURLFetcher`, which serves the project's own static
files (the PDF stylesheet) and refuses everything else without touching the
network or the file system: no http(s) host, no file://, no data:, no
redirects. The fonts are the Noto families installed from Debian's
fonts-noto-core and fonts-noto-cjk (Dockerfile and .ci/run) and listed in
static/css/pdf.css, so every script has glyphs and every font is embedded.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone, translation

from questionnaire.selectors import SubmissionSnapshot

try:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except OSError as error:
    # WeasyPrint loads Pango from the system. On a machine without it the portal
    # must still start (`make run` on a bare Python): rendering then fails with
    # this message, recorded for staff like any other rendering failure.
    WEASYPRINT_UNAVAILABLE: str | None = (
        "WeasyPrint cannot load its system libraries (install Pango, e.g. "
        f"apt-get install libpango-1.0-0 libpangoft2-1.0-0): {error}"
    )
    HTML = URLFetcherResponse = None
    URLFetcher = object
else:
    WEASYPRINT_UNAVAILABLE = None

logger = logging.getLogger(__name__)

# The address the PDF's HTML is parsed against. The .invalid top-level domain
# never resolves (RFC 2606), and the fetcher answers for it from the static
# files alone, so a relative URL in a template can only reach those.
PDF_BASE_URL = "https://msq-portal.invalid/"
PDF_STATIC_PREFIX = PDF_BASE_URL + "static/"
# A stylesheet or image larger than this is not one of ours.
STATIC_MAX_BYTES = 5 * 1024 * 1024


class FetchRefusedError(ValueError):
    """The renderer asked for a resource the fetcher does not serve."""


def static_file_for_url(url: str) -> Path | None:
    """The project static file a PDF URL names, or None if it names anything else."""
    if not url.startswith(PDF_STATIC_PREFIX):
        return None
    parts = urlsplit(url)
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    relative = unquote(parts.path).removeprefix("/static/")
    normalized = posixpath.normpath(relative)
    if (
        not relative
        or "\\" in relative
        or "\x00" in relative
        or normalized != relative
        or normalized.startswith(("/", ".."))
    ):
        return None
    try:
        found = finders.find(normalized)
    except SuspiciousFileOperation:
        return None
    if not found:
        return None
    path = Path(found)
    if not path.is_file() or path.stat().st_size > STATIC_MAX_BYTES:
        return None
    return path


class StaticOnlyURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only the project's static files.

    Every refusal is remembered in `refused` (tests and logs read it). The
    parent's opener is never used: no protocol is allowed and redirects are
    off, so even a call that slipped past `fetch` could open nothing.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        path = static_file_for_url(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF renderer refused to fetch %.200s", url)
            raise FetchRefusedError(f"the PDF renderer fetches only its own static files: {url}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def text_direction(text: str) -> str:
    """ "rtl" when the first strongly directional character is right-to-left (Arabic, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in {"R", "AL"}:
            return "rtl"
        if direction == "L":
            return "ltr"
    return "ltr"


@dataclass
class RenderedPdf:
    content: bytes
    # What the fetcher refused while rendering (nothing, for our own templates).
    refused: list[str] = field(default_factory=list)


def html_to_pdf(html: str) -> RenderedPdf:
    """Render HTML to PDF bytes with the static-only fetcher (metadata from the <meta> tags)."""
    if WEASYPRINT_UNAVAILABLE:
        raise RuntimeError(WEASYPRINT_UNAVAILABLE)
    fetcher = StaticOnlyURLFetcher()
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    content = document.write_pdf(custom_metadata=True)
    return RenderedPdf(content=content, refused=fetcher.refused)


def submission_html(
    snapshot: SubmissionSnapshot, *, draft: bool, now: datetime | None = None
) -> str:
    """The HTML of a submission's PDF, in the portal's default language.

    `draft` marks every page DRAFT (the officials' preview); otherwise the
    document is the record of the submitted version.
    """
    submission = snapshot.submission
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "snapshot": snapshot,
            "submission": submission,
            "edition": snapshot.edition,
            "country": snapshot.country,
            "draft": draft,
            "language": settings.LANGUAGE_CODE,
            "generated_at": now,
            # The PDF's dates: those of the submission it records, so that a
            # rerun for the same version gives the same metadata.
            "created_at": (
                submission.submitted_at if not draft and submission.submitted_at else now
            ),
            "version": submission.version if draft else submission.submitted_version,
        }
        return render_to_string("pdf/submission.html", context)


def submission_pdf(snapshot: SubmissionSnapshot, *, draft: bool = False) -> bytes:
    """The PDF of a submission (the submitted record, or with `draft` the DRAFT preview)."""
    return html_to_pdf(submission_html(snapshot, draft=draft)).content
