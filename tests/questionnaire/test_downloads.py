"""Who may download a submission's PDF and its DRAFT preview: the country's officials and
reviewers; everyone else gets a 404 and nothing changes."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from questionnaire import pdf_services
from questionnaire.models import Submission
from questionnaire.pdf_services import submission_pdf_render
from tests.factories import UserFactory, submission_full

STUB_PDF = b"%PDF-1.7 the stored record\n%%EOF\n"


@pytest.fixture
def stored(settings, tmp_path, monkeypatch, edition, country_a, focal_point) -> Submission:
    """Country A's submission, version 1, with its PDF stored (a stub: storage is under test)."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(pdf_services, "submission_pdf", lambda snapshot, draft=False: STUB_PDF)
    submission = submission_full(
        edition=edition, country=country_a, submitted_by=focal_point, values={"q14": {}}
    )
    submission_pdf_render(submission_id=submission.pk, version=1)
    submission.refresh_from_db()
    return submission


def _download(client, user, submission, name="questionnaire:submission_pdf"):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, kwargs={"submission_id": submission.pk}))


@pytest.mark.parametrize("who", ["focal_point", "contributor", "reviewer"])
def test_pdf_download_by_officials_of_the_country_and_reviewers(client, request, stored, who):
    response = _download(client, request.getfixturevalue(who), stored)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = stored.submitted_at.strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == (
        f'attachment; filename="MSQ-2020-UZB-submission-1-{day}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == STUB_PDF


def test_pdf_download_by_another_country_is_404(client, stored, outsider):
    response = _download(client, outsider, stored)

    assert response.status_code == 404
    assert STUB_PDF not in response.content


def test_pdf_download_by_staff_outside_reviewers_is_404(client, stored):
    staff = UserFactory(is_staff=True)

    assert _download(client, staff, stored).status_code == 404


def test_pdf_download_anonymous_is_sent_to_sign_in(client, stored):
    response = _download(client, None, stored)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_pdf_download_before_rendering_is_404(client, edition, country_a, focal_point):
    submission = submission_full(edition=edition, country=country_a, values={})

    assert _download(client, focal_point, submission).status_code == 404


def test_pdf_download_with_the_file_gone_is_404_not_500(client, stored, focal_point, tmp_path):
    (tmp_path / stored.pdf.name).unlink()

    assert _download(client, focal_point, stored).status_code == 404


def test_pdf_preview_by_an_official_is_a_draft_pdf(client, edition, country_a, contributor):
    draft = submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        values={"q14": {"details": "Работа продолжается — العمل جار"}},
    )

    response = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.now().strftime("%Y-%m-%d")
    assert f'filename="MSQ-2020-UZB-draft-{today}.pdf"' in response["Content-Disposition"]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    assert all("DRAFT" in page for page in pages)
    assert "Работа продолжается" in "".join(pages)
    draft.refresh_from_db()
    assert draft.pdf_version is None  # a preview is never stored as the record


@pytest.mark.parametrize("who", ["outsider", "reviewer"])
def test_pdf_preview_by_anyone_but_the_country_is_404(client, request, stored, who):
    response = _download(
        client, request.getfixturevalue(who), stored, "questionnaire:submission_pdf_preview"
    )

    assert response.status_code == 404
