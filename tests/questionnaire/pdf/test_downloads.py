"""Who may download a submission's PDF and its DRAFT preview: the country's officials and
reviewers; everyone else gets a 404 and nothing changes."""

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from questionnaire import tasks
from questionnaire.models import Submission
from questionnaire.pdf import downloads
from questionnaire.pdf import render as pdf_render
from questionnaire.pdf.services import submission_pdf_render
from tests.conftest import wait_for
from tests.factories import UserFactory, submission_full

STUB_PDF = b"%PDF-1.7 the stored record\n%%EOF\n"


@pytest.fixture
def stored(settings, tmp_path, monkeypatch, edition, country_a, focal_point) -> Submission:
    """Country A's submission, version 1, with its PDF stored (a stub: storage is under test)."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )
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


@pytest.fixture
def rerenders(monkeypatch) -> list:
    """Re-renders queued by the pages (recorded, not run)."""
    calls = []
    monkeypatch.setattr(tasks.task_render_submission_pdf, "delay", lambda **kw: calls.append(kw))
    return calls


def test_pdf_download_with_the_file_gone_is_503_and_queues_a_rerender(
    client, stored, focal_point, tmp_path, rerenders, django_capture_on_commit_callbacks
):
    (tmp_path / stored.pdf.name).unlink()

    with django_capture_on_commit_callbacks(execute=True):
        response = _download(client, focal_point, stored)

    assert response.status_code == 503
    assert "The PDF is being repaired" in response.content.decode()
    assert rerenders == [{"submission_id": stored.pk, "version": 1, "force": False}]


def test_pdf_download_not_matching_its_sha256_is_never_served(
    client, stored, focal_point, tmp_path, rerenders, django_capture_on_commit_callbacks
):
    """Found by QA: a forced re-render killed mid-write left a file the SHA-256 did not match."""
    (tmp_path / stored.pdf.name).write_bytes(b"%PDF-1.7 the stored rec")

    with django_capture_on_commit_callbacks(execute=True):
        response = _download(client, focal_point, stored)
        again = _download(client, focal_point, stored)

    assert (response.status_code, again.status_code) == (503, 503)
    body = response.content.decode()
    assert 'role="alert"' in body and "%PDF" not in body
    assert response["Content-Type"].startswith("text/html")
    assert len(rerenders) == 1  # the second request finds the repair already queued


@pytest.fixture
def previews_here(settings, tmp_path, monkeypatch) -> list:
    """Preview tasks run in this process whatever the broker; records the renderings."""
    settings.MEDIA_ROOT = str(tmp_path)
    renderings = []
    real = pdf_render.submission_pdf

    def render(snapshot, *, draft=False, language=None):
        renderings.append((snapshot.submission.version, draft))
        return real(snapshot, draft=draft, language=language)

    monkeypatch.setattr(pdf_render, "submission_pdf", render)
    task = tasks.task_render_preview_pdf
    monkeypatch.setattr(task, "delay", lambda **kwargs: task.apply(kwargs=kwargs))
    return renderings


@pytest.fixture
def draft(edition, country_a) -> Submission:
    return submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        values={"q14": {"details": "Работа продолжается — العمل جار"}},
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.pdf
def test_pdf_preview_by_an_official_is_a_draft_pdf(client, draft, contributor, previews_here):
    response = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert f'filename="MSQ-2020-UZB-draft-{today}.pdf"' in response["Content-Disposition"]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(_body(response))).pages]
    assert all("DRAFT" in page for page in pages)
    assert "Работа продолжается" in "".join(pages)
    draft.refresh_from_db()
    assert draft.pdf_version is None  # a preview is never stored as the record


@pytest.mark.pdf
def test_pdf_preview_of_the_same_version_is_rendered_once(
    client, draft, contributor, previews_here
):
    first = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")
    second = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")

    assert _body(first) == _body(second)
    assert previews_here == [(1, True)]


@pytest.mark.pdf
def test_pdf_preview_of_a_new_version_replaces_the_old_file(
    client, draft, contributor, previews_here, tmp_path
):
    _body(_download(client, contributor, draft, "questionnaire:submission_pdf_preview"))
    Submission.objects.filter(pk=draft.pk).update(version=2)

    response = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")

    today = timezone.localdate().strftime("%Y-%m-%d")
    assert f'filename="MSQ-2020-UZB-draft-{today}.pdf"' in response["Content-Disposition"]
    _body(response)
    assert previews_here == [(1, True), (2, True)]
    assert [path.name for path in (tmp_path / "previews").iterdir()] == [f"{draft.pk}-v2-en.pdf"]


def test_pdf_preview_while_rendering_says_to_wait_without_inline_script(
    client, draft, contributor, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(tasks.task_render_preview_pdf, "delay", lambda **kwargs: None)

    response = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")
    check = client.get(
        reverse("questionnaire:submission_pdf_preview", kwargs={"submission_id": draft.pk})
        + "?check=1"
    )

    assert response.status_code == 202
    body = response.content.decode()
    assert "<h1" in body and 'role="status"' in body
    assert re.search(r'<a href="[^"]*preview\.pdf">Refresh</a>', body)
    assert "js/preview-wait.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)  # no inline script (CSP)
    assert json.loads(check.content) == {"state": "pending"}


def test_pdf_preview_beyond_the_limit_is_429_saying_when(
    client, draft, contributor, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(tasks.task_render_preview_pdf, "delay", lambda **kwargs: None)
    monkeypatch.setattr(downloads, "PREVIEW_LIMIT", 2)
    statuses = []
    for version in (1, 1, 1, 2, 3):  # a Refresh of the one being made does not count
        Submission.objects.filter(pk=draft.pk).update(version=version)
        statuses.append(
            _download(client, contributor, draft, "questionnaire:submission_pdf_preview")
        )

    assert [response.status_code for response in statuses] == [202, 202, 202, 202, 429]
    refused = statuses[-1]
    assert refused["Retry-After"] == str(downloads.PREVIEW_WINDOW_SECONDS)
    assert "Try again in 10 minutes at most" in refused.content.decode()
    assert 'role="alert"' in refused.content.decode()


def test_pdf_preview_that_fails_is_503_then_tried_again(
    client, draft, contributor, previews_here, monkeypatch
):
    def broken(snapshot, *, draft=False, language=None):
        raise RuntimeError("pango")

    monkeypatch.setattr(pdf_render, "submission_pdf", broken)
    failed = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )
    retried = _download(client, contributor, draft, "questionnaire:submission_pdf_preview")

    assert failed.status_code == 503
    assert "The draft PDF could not be made" in failed.content.decode()
    assert retried.status_code == 200 and _body(retried) == STUB_PDF


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_pdf_preview_through_the_worker_end_to_end(
    client, celery_worker_process, edition, country_a, contributor
):
    """With a broker a real worker renders it while the page polls; without, in-process."""
    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    client.force_login(contributor)
    url = reverse("questionnaire:submission_pdf_preview", kwargs={"submission_id": draft.pk})

    first = client.get(url)
    assert first.status_code in {200, 202}
    wait_for(lambda: client.get(url + "?check=1").json()["state"] == "ready", timeout=120)
    response = client.get(url)

    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["outsider", "reviewer"])
def test_pdf_preview_by_anyone_but_the_country_is_404(client, request, stored, who):
    response = _download(
        client, request.getfixturevalue(who), stored, "questionnaire:submission_pdf_preview"
    )

    assert response.status_code == 404
