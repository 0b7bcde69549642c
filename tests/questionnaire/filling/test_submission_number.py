"""Submissions named as officials count them (first, second) with their date, never by the
internal save counter: the service, the backfill, the download names and the status poll."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from questionnaire.filling.services import submission_get_or_create
from questionnaire.filling.submitting import consent_set, submission_submit
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.pdf import render as pdf_render
from questionnaire.pdf.services import pdf_failure_record, submission_pdf_render
from questionnaire.review.services import submission_return
from tests.factories import submission_full
from tests.questionnaire.filling.test_services import COMPLETE, save

STUB_PDF = b"%PDF-1.7 stub\n%%EOF\n"


@pytest.fixture
def no_pdf_task(monkeypatch):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)


@pytest.fixture
def stub_renderer(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )


def _submit(submission, user):
    submission.refresh_from_db()
    return submission_submit(submission=submission, user=user)


@pytest.fixture
def first_submitted(edition, country_a, focal_point, no_pdf_task):
    """Submitted once after a dozen saves: version 14, the first submission."""
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    for n in range(11):
        save(submission, focal_point, {"q14": {"details": f"Draft {n}"}})
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent="granted")
    return _submit(submission, focal_point)


def _return(submission, reviewer):
    submission.refresh_from_db()
    return submission_return(
        submission=submission, reviewer=reviewer, comments={"": "Please check question 3."}
    )


def test_submission_number_counts_submissions_not_saves(first_submitted, focal_point, reviewer):
    assert (first_submitted.version, first_submitted.submission_number) == (15, 1)

    _return(first_submitted, reviewer)
    second = _submit(first_submitted, focal_point)

    assert second.submission_number == 2
    second.refresh_from_db()
    assert second.submission_number == 2
    event = second.events.filter(kind=SubmissionEvent.Kind.SUBMITTED).latest("version")
    assert event.after["submission_number"] == 2


def test_submission_number_backfilled_from_submitted_events(edition, country_a, country_b):
    twice = submission_full(edition=edition, country=country_a)
    for version in (3, 9):
        SubmissionEvent.objects.create(
            submission=twice, kind=SubmissionEvent.Kind.SUBMITTED, version=version
        )
    without_events = submission_full(edition=edition, country=country_b)
    draft = submission_full(
        edition=edition,
        country=country_a.__class__.objects.get(iso3="KEN"),
        status=Submission.Status.DRAFT,
    )
    Submission.objects.update(submission_number=None)

    migration = importlib.import_module("questionnaire.migrations.0005_submission_number")
    migration.number_from_events(apps, None)

    numbers = dict(Submission.objects.values_list("pk", "submission_number"))
    assert numbers == {twice.pk: 2, without_events.pk: 1, draft.pk: None}


def _download_name(client, user, submission) -> str:
    client.force_login(user)
    response = client.get(reverse("questionnaire:submission_pdf", args=[submission.pk]))
    assert response.status_code == 200
    return response["Content-Disposition"]


def test_pdf_download_named_by_submission_and_date(
    client, first_submitted, focal_point, reviewer, stub_renderer
):
    submission_pdf_render(submission_id=first_submitted.pk, version=first_submitted.version)
    day = timezone.now().strftime("%Y-%m-%d")
    first_name = f'attachment; filename="MSQ-2020-UZB-submission-1-{day}.pdf"'
    assert _download_name(client, focal_point, first_submitted) == first_name

    # Returned and submitted again: until its PDF is stored, the first one's keeps its name.
    _return(first_submitted, reviewer)
    second = _submit(first_submitted, focal_point)
    assert _download_name(client, focal_point, second) == first_name

    submission_pdf_render(submission_id=second.pk, version=second.version)
    assert _download_name(client, reviewer, second) == (
        f'attachment; filename="MSQ-2020-UZB-submission-2-{day}.pdf"'
    )


def test_submission_page_names_the_submission_not_the_version(
    client, first_submitted, focal_point, stub_renderer
):
    submission_pdf_render(submission_id=first_submitted.pk, version=first_submitted.version)
    client.force_login(focal_point)
    text = client.get("/submission/").content.decode()

    when = first_submitted.submitted_at.strftime("%-d %B %Y")
    assert f"Submission 1, on {when}" in text
    assert f"Download the PDF of submission 1, sent on {when}" in text
    assert "version" not in text.split("Your answers")[1].split("<h2")[0].lower()


def _status(client, user):
    client.force_login(user)
    return client.get(reverse("questionnaire:submission_pdf_status"))


def test_pdf_status_pending_then_ready_with_the_link(
    client, first_submitted, focal_point, stub_renderer
):
    response = _status(client, focal_point)
    assert response.status_code == 200
    assert response.json() == {"state": "pending", "html": ""}
    assert "no-store" in response["Cache-Control"]

    submission_pdf_render(submission_id=first_submitted.pk, version=first_submitted.version)

    state = _status(client, focal_point).json()
    assert state["state"] == "ready"
    assert reverse("questionnaire:submission_pdf", args=[first_submitted.pk]) in state["html"]
    assert "Download the PDF of submission 1, sent on" in state["html"]


def test_pdf_status_failed_says_so(client, first_submitted, contributor):
    pdf_failure_record(
        submission_id=first_submitted.pk, version=first_submitted.version, message="boom"
    )

    state = _status(client, contributor).json()

    assert state["state"] == "failed"
    assert "could not be prepared" in state["html"]
    assert "boom" not in state["html"]


def test_pdf_status_of_another_country_is_never_shown(client, first_submitted, outsider):
    # The outsider's own country has not submitted: nothing to poll, whatever was submitted here.
    assert _status(client, outsider).status_code == 404


def test_pdf_status_for_a_draft_never_submitted_is_404(client, edition, country_a, focal_point):
    submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    assert _status(client, focal_point).status_code == 404
