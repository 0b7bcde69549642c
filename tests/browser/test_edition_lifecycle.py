"""An edition's life in a real browser: a reviewer closes msq-2020 (confirming that its drafts
are kept) and opens msq-2022-example; the official lands on 2022 and finds 2020 among the
past editions, read-only, with its PDF."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Country
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.models import Edition, Submission
from questionnaire.pdf import render as pdf_render
from questionnaire.pdf.services import submission_pdf_render
from tests.browser.conftest import audit
from tests.factories import submission_full

pytestmark = pytest.mark.browser

STUB_PDF = b"%PDF-1.7 the 2020 record\n%%EOF\n"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def year_2020(settings, tmp_path, monkeypatch, edition, country_a, focal_point):
    """Uzbekistan submitted 2020 (PDF stored, a stub); France has a draft; the example 2022
    is loaded, planned."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )
    submitted = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    submission_pdf_render(submission_id=submitted.pk, version=1)
    submission_full(
        edition=edition, country=Country.objects.get(iso3="FRA"), status=Submission.Status.DRAFT
    )
    edition_load(path=edition_path("msq-2022-example"))
    return submitted


def _confirm(page: Page, button: str) -> None:
    page.get_by_label("I have read what this does, and confirm it.").check()
    page.get_by_role("button", name=button, exact=True).click()


def test_edition_lifecycle_reviewer_closes_and_opens_official_reads_the_past(
    contexts, year_2020, reviewer, focal_point
):
    admin = contexts.page(user=reviewer)
    admin.goto("/admin/questionnaire/edition/")
    admin.get_by_role("link", name="Close msq-2020").click()
    expect(admin.get_by_role("heading", name="Close msq-2020?")).to_be_visible()
    expect(admin.locator("#drafts-kept")).to_contain_text("1 draft")
    expect(admin.locator("#drafts-kept")).to_contain_text("nothing is deleted")
    audit(admin, "edition-close-confirm-1280")
    admin.set_viewport_size(PHONE)
    audit(admin, "edition-close-confirm-390")
    admin.set_viewport_size({"width": 1280, "height": 900})
    _confirm(admin, "Close the edition")
    expect(admin.get_by_text("Edition msq-2020 is closed")).to_be_visible()

    admin.goto("/admin/questionnaire/edition/")
    admin.get_by_role("link", name="Open msq-2022-example").click()
    expect(admin.locator("#other-open")).to_have_count(0)  # 2020 is closed already
    _confirm(admin, "Open the edition")
    expect(admin.get_by_text("Edition msq-2022-example is open")).to_be_visible()
    assert Edition.objects.get(code="msq-2020").state == Edition.State.CLOSED
    # The draft of France is still there, unchanged.
    assert Submission.objects.filter(
        edition__code="msq-2020", status=Submission.Status.DRAFT
    ).exists()

    official = contexts.page(user=focal_point)
    official.goto("/")
    expect(official.get_by_role("heading", level=1)).to_contain_text("MSQ 2022 (example")
    past = official.get_by_role("region", name="Past editions")
    expect(past).to_be_visible()
    audit(official, "overview-past-editions-1280")
    official.set_viewport_size(PHONE)
    audit(official, "overview-past-editions-390")
    official.set_viewport_size({"width": 1280, "height": 900})

    with official.expect_download() as download:
        past.get_by_role("link", name="Download the PDF (2020)").click()
    assert download.value.suggested_filename.startswith("MSQ-2020-UZB-submission-1")

    past.get_by_role("link", name="2020").first.click()
    expect(official.locator("#past-edition-notice")).to_contain_text("This edition is closed")
    expect(official.get_by_role("link", name="Edit")).to_have_count(0)
    expect(official.locator("main form")).to_have_count(0)
    audit(official, "past-edition-2020")
