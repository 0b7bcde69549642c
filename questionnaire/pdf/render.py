"""Submission PDFs: a SubmissionSnapshot rendered to HTML by a template, then to PDF by WeasyPrint.

Nothing here writes: storing the file and recording it on the submission is
done by questionnaire.pdf.services (previews and language copies:
questionnaire.pdf.on_demand). They call `render.submission_pdf` through this
module, so that a test stubs the renderer in one place. Answers reach the template as plain values
and Django escapes them, so an answer is always text, never markup.

WeasyPrint gets `StaticOnlyURLFetcher`, which serves the project's own static
files (the PDF stylesheet) and refuses everything else without touching the
network or the file system: no http(s) host, no file://, no data:, no
redirects. The fonts are the Noto families installed from Debian's
fonts-noto-core and fonts-noto-cjk (Dockerfile and .ci/run) and listed in
static/css/pdf.css, so every script has glyphs and every font is embedded.

How fast a full submission renders, and why the templates look as they do
(links as blocks, not table rows; the long font list only where needed), is in
bench/README.md, "Submission PDFs".
"""

from __future__ import annotations

import functools
import gc
import logging
import mimetypes
import posixpath
import re
import unicodedata
from contextlib import contextmanager
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
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except OSError as error:
    # WeasyPrint loads Pango from the system. On a machine without it the portal
    # must still start (`make run` on a bare Python): rendering then fails with
    # this message, recorded for staff like any other rendering failure.
    WEASYPRINT_UNAVAILABLE: str | None = (
        "WeasyPrint cannot load its system libraries (install Pango, e.g. "
        f"apt-get install libpango-1.0-0 libpangoft2-1.0-0): {error}"
    )
    CSS = HTML = URLFetcherResponse = FontConfiguration = None
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
PDF_STYLESHEET_URL = PDF_STATIC_PREFIX + "css/pdf.css"

# A character outside what "Noto Sans", "Noto Sans Arabic" and "Noto Sans CJK SC" cover
# (Latin, IPA, Greek, Cyrillic, general punctuation and currency signs, Arabic, CJK, kana,
# Hangul, full-width forms). A document with one gets the whole Noto list
# (`html.wide-script` in pdf.css); the others the three families, which lay out faster.
OUTSIDE_BASE_FONTS = re.compile(
    "[^\u0000-\u052f\u1c80-\u1c8f\u1d00-\u1dbf\u1e00-\u1fff\u2000-\u206f"
    "\u20a0-\u20cf\u2c60-\u2c7f\u2de0-\u2dff\ua640-\ua69f\ua720-\ua7ff"
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
    "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f]"
)


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


def needs_wide_fonts(text: str) -> bool:
    """Whether `text` has a character the three base Noto families may lack a glyph for."""
    return OUTSIDE_BASE_FONTS.search(text) is not None


@functools.cache
def pdf_stylesheet():
    """static/css/pdf.css, parsed once per process (through the static-only fetcher): every
    rendering used to fetch and parse it again."""
    return CSS(url=PDF_STYLESHEET_URL, url_fetcher=StaticOnlyURLFetcher())


@functools.cache
def pdf_font_config():
    """One font configuration (Pango font map) per process, shared by every rendering.

    A new one per document meant cold Pango caches each time (font lookups, coverage,
    fontsets for the Noto fallback list): about a tenth of a full submission's rendering
    (bench/README.md). The PDF templates declare no @font-face, so nothing document-specific
    is ever added to it.
    """
    return FontConfiguration()


@contextmanager
def gc_paused():
    """The cyclic garbage collector off while WeasyPrint lays a document out.

    A rendering allocates hundreds of thousands of short-lived objects, so the collector
    ran many times per PDF, each full pass walking the whole process heap (Django, the
    snapshot): about a fifth of the rendering time (bench/README.md). Reference counting
    still frees nearly everything; the cycles left are collected once it is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str) -> RenderedPdf:
    """Render HTML to PDF bytes with the static-only fetcher (metadata from the <meta> tags).

    The PDF stylesheet is always applied (parsed once per process), so `html` does not link it.
    """
    if WEASYPRINT_UNAVAILABLE:
        raise RuntimeError(WEASYPRINT_UNAVAILABLE)
    fetcher = StaticOnlyURLFetcher()
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    with gc_paused():
        content = document.write_pdf(
            stylesheets=[pdf_stylesheet()], font_config=pdf_font_config(), custom_metadata=True
        )
    return RenderedPdf(content=content, refused=fetcher.refused)


def submission_html(
    snapshot: SubmissionSnapshot,
    *,
    draft: bool,
    now: datetime | None = None,
    language: str | None = None,
) -> str:
    """The HTML of a submission's PDF, in `language` (default: the portal's default language).

    `draft` marks every page DRAFT (the officials' preview); otherwise the
    document is the record of the submitted version.
    """
    submission = snapshot.submission
    now = now or timezone.now()
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "snapshot": snapshot,
            "submission": submission,
            "edition": snapshot.edition,
            "country": snapshot.country,
            "draft": draft,
            "language": language,
            "generated_at": now,
            # The PDF's dates: those of the submission it records, so that a
            # rerun for the same version gives the same metadata.
            "created_at": (
                submission.submitted_at if not draft and submission.submitted_at else now
            ),
            # Submissions are named as officials count them, with their date; the version
            # is an internal save counter they never see.
            "submission_number": None if draft else submission.submission_number,
        }
        html = render_to_string("pdf/submission.html", context)
        if needs_wide_fonts(html):
            # Rare (Hebrew, Thai, Georgian...): render again with the whole Noto list.
            html = render_to_string("pdf/submission.html", {**context, "wide_fonts": True})
        return html


def submission_pdf(
    snapshot: SubmissionSnapshot, *, draft: bool = False, language: str | None = None
) -> bytes:
    """The PDF of a submission (the submitted record, or with `draft` the DRAFT preview)."""
    return html_to_pdf(submission_html(snapshot, draft=draft, language=language)).content
