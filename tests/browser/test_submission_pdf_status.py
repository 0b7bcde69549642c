"""After a submit, the officials' submission page shows the PDF link by itself once the PDF
is stored (static/js/pdf-status.js polls the status endpoint): no reload, announced."""

import pytest
from playwright.sync_api import expect

from questionnaire.pdf import render as pdf_render
from questionnaire.pdf.services import submission_pdf_render
from tests.browser.conftest import audit
from tests.factories import submission_full

pytestmark = pytest.mark.browser

STUB_PDF = b"%PDF-1.7 the stored record\n%%EOF\n"


def test_submission_page_shows_the_pdf_link_without_reload_once_stored(
    contexts, edition, country_a, focal_point, monkeypatch
):
    # The live server runs in this process: the stub stands in for WeasyPrint there too.
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )
    submission = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    page = contexts.page(user=focal_point)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.goto("/submission/")
    status = page.locator("#pdf-status")
    expect(status).to_have_text(
        "The PDF of your submission is being prepared; it will be here in a moment."
    )
    expect(status).to_have_attribute("aria-live", "polite")
    audit(page, "submission-pdf-pending")

    submission_pdf_render(submission_id=submission.pk, version=submission.submitted_version)

    when = submission.submitted_at.strftime("%-d %B %Y")
    link = status.get_by_role("link", name=f"Download the PDF of submission 1, sent on {when}")
    expect(link).to_be_visible(timeout=30_000)
    assert len(navigations) == 1, navigations
    audit(page, "submission-pdf-ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("MSQ-2020-UZB-submission-1-")
