"""Rendering, storing and queueing submission PDFs: once per submitted version, whatever happens."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction
from django.utils import timezone

from questionnaire import pdf_services, tasks
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.pdf_services import (
    PdfOutcome,
    pdf_render_queue,
    pdf_render_queue_missing,
    submission_pdf_render,
)
from questionnaire.services import submission_submit
from tests.conftest import wait_for
from tests.factories import submission_full

STUB_PDF = b"%PDF-1.7 stub rendering\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A media directory of this test's own, so that the files it leaves can be counted."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def stub_renderer(monkeypatch) -> list:
    """Replace WeasyPrint by a stub (these tests are about storing, not drawing); records calls."""
    calls = []

    def render(snapshot, *, draft=False):
        calls.append(snapshot.submission.pk)
        return STUB_PDF

    monkeypatch.setattr(pdf_services, "submission_pdf", render)
    return calls


@pytest.fixture
def queued(monkeypatch) -> list:
    """Tasks queued for rendering, run here in this process whatever the broker."""
    calls = []
    task = tasks.task_render_submission_pdf

    def delay(**kwargs):
        calls.append(kwargs)
        return task.apply(kwargs=kwargs)

    monkeypatch.setattr(task, "delay", delay)
    return calls


def _pdf_files(media: Path) -> list[str]:
    return sorted(path.name for path in media.rglob("*.pdf"))


@pytest.fixture
def submitted(edition, country_a, focal_point) -> Submission:
    return submission_full(
        edition=edition, country=country_a, submitted_by=focal_point, values={"q14": {}}
    )


def test_render_twice_for_the_same_version_leaves_one_file(media, stub_renderer, submitted):
    # apply(): run in this process whatever the broker (a redelivery runs the same code).
    first = tasks.task_render_submission_pdf.apply(
        kwargs={"submission_id": submitted.pk, "version": 1}
    )
    second = tasks.task_render_submission_pdf.apply(
        kwargs={"submission_id": submitted.pk, "version": 1}
    )

    assert [first.get(), second.get()] == [PdfOutcome.RENDERED, PdfOutcome.UNCHANGED]
    assert stub_renderer == [submitted.pk]
    assert _pdf_files(media) == ["UZB-msq-2020-v1.pdf"]
    submitted.refresh_from_db()
    assert submitted.pdf.name == "submissions/pdf/UZB-msq-2020-v1.pdf"
    assert submitted.pdf_version == 1
    assert submitted.pdf_sha256 == hashlib.sha256(STUB_PDF).hexdigest()
    assert submitted.pdf_rendered_at is not None
    assert submitted.events.filter(kind=SubmissionEvent.Kind.PDF_RENDERED).count() == 1


def test_render_forced_overwrites_the_same_file(media, stub_renderer, submitted):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf/UZB-msq-2020-v1.pdf").write_bytes(b"tampered")

    outcome = submission_pdf_render(submission_id=submitted.pk, version=1, force=True)

    assert outcome == PdfOutcome.RENDERED
    assert _pdf_files(media) == ["UZB-msq-2020-v1.pdf"]
    assert (media / "submissions/pdf/UZB-msq-2020-v1.pdf").read_bytes() == STUB_PDF


def test_render_with_the_file_gone_renders_it_again(media, stub_renderer, submitted):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf/UZB-msq-2020-v1.pdf").unlink()

    assert submission_pdf_render(submission_id=submitted.pk, version=1) == PdfOutcome.RENDERED
    assert _pdf_files(media) == ["UZB-msq-2020-v1.pdf"]


def test_render_of_a_version_no_longer_submitted_does_nothing(media, stub_renderer, submitted):
    Submission.objects.filter(pk=submitted.pk).update(version=3, submitted_version=3)

    assert submission_pdf_render(submission_id=submitted.pk, version=1) == PdfOutcome.STALE
    assert _pdf_files(media) == []
    assert stub_renderer == []


def test_render_of_a_returned_submission_edited_since_does_nothing(media, stub_renderer, submitted):
    Submission.objects.filter(pk=submitted.pk).update(
        status=Submission.Status.RETURNED, submitted_at=timezone.now() - timedelta(hours=1)
    )
    submitted.answers.update(updated_at=timezone.now())

    assert submission_pdf_render(submission_id=submitted.pk, version=1) == PdfOutcome.STALE
    assert _pdf_files(media) == []


def test_render_failure_is_recorded_for_staff(media, monkeypatch, submitted):
    def broken(snapshot, *, draft=False):
        raise ValueError("layout exploded")

    monkeypatch.setattr(pdf_services, "submission_pdf", broken)

    outcome = tasks.task_render_submission_pdf.apply(
        kwargs={"submission_id": submitted.pk, "version": 1}
    ).get()

    assert outcome == PdfOutcome.FAILED
    submitted.refresh_from_db()
    assert submitted.pdf_error == "Version 1: ValueError: layout exploded"
    assert submitted.pdf_version is None
    event = submitted.events.get(kind=SubmissionEvent.Kind.PDF_FAILED)
    assert event.version == 1
    assert "layout exploded" in event.message
    assert _pdf_files(media) == []


def test_render_past_the_time_limit_is_recorded_for_staff(media, monkeypatch, settings, submitted):
    def too_slow(snapshot, *, draft=False):
        raise SoftTimeLimitExceeded("SIGUSR1")  # what Celery raises inside the renderer

    monkeypatch.setattr(pdf_services, "submission_pdf", too_slow)

    outcome = tasks.task_render_submission_pdf.apply(
        kwargs={"submission_id": submitted.pk, "version": 1}
    ).get()

    assert outcome == PdfOutcome.FAILED
    assert tasks.task_render_submission_pdf.soft_time_limit == settings.MSQ_PDF_SOFT_TIME_LIMIT
    submitted.refresh_from_db()
    assert "SoftTimeLimitExceeded" in submitted.pdf_error
    assert submitted.events.filter(kind=SubmissionEvent.Kind.PDF_FAILED).count() == 1


def test_render_success_clears_an_earlier_error(media, stub_renderer, submitted):
    Submission.objects.filter(pk=submitted.pk).update(pdf_error="Version 1: earlier failure")

    submission_pdf_render(submission_id=submitted.pk, version=1)

    submitted.refresh_from_db()
    assert submitted.pdf_error == ""


def test_render_task_retries_a_transient_database_error(media, monkeypatch, submitted):
    real_render = pdf_services.submission_pdf_render
    attempts = []

    def flaky(**kwargs):
        attempts.append(kwargs)
        if len(attempts) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(**kwargs)

    monkeypatch.setattr(pdf_services, "submission_pdf_render", flaky)
    monkeypatch.setattr(pdf_services, "submission_pdf", lambda snapshot, draft=False: STUB_PDF)

    # throw=False: Celery then runs the retry in this process, as a worker would after the backoff.
    result = tasks.task_render_submission_pdf.apply(
        kwargs={"submission_id": submitted.pk, "version": 1}, throw=False
    )

    assert result.get() == PdfOutcome.RENDERED
    assert len(attempts) == 2
    assert _pdf_files(media) == ["UZB-msq-2020-v1.pdf"]


def test_render_queue_rolled_back_queues_nothing(
    media, stub_renderer, queued, submitted, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert pdf_render_queue(submission=submitted)
        raise RuntimeError("the transaction fails after queueing")

    assert callbacks == []
    assert queued == []
    assert stub_renderer == []
    assert _pdf_files(media) == []


def test_submit_rolled_back_queues_no_pdf(
    media,
    stub_renderer,
    queued,
    edition,
    country_a,
    focal_point,
    django_capture_on_commit_callbacks,
):
    draft = submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        submitted_by=focal_point,
    )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submission_submit(submission=draft, user=focal_point)
        raise RuntimeError("something after the submit fails")

    assert callbacks == []
    assert queued == []
    assert stub_renderer == []
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT
    assert draft.pdf_version is None


def test_submit_committed_renders_the_submitted_version(
    media,
    stub_renderer,
    queued,
    edition,
    country_a,
    focal_point,
    django_capture_on_commit_callbacks,
):
    draft = submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        submitted_by=focal_point,
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submission_submit(submission=draft, user=focal_point)

    submitted.refresh_from_db()
    assert queued == [{"submission_id": draft.pk, "version": submitted.submitted_version}]
    assert stub_renderer == [draft.pk]
    assert submitted.pdf_version == submitted.submitted_version
    assert _pdf_files(media) == [f"UZB-msq-2020-v{submitted.submitted_version}.pdf"]


def test_sweeper_queues_only_submitted_versions_without_a_pdf(
    monkeypatch, edition, countries, django_capture_on_commit_callbacks
):
    from accounts.models import Country

    queued = []
    monkeypatch.setattr(
        tasks.task_render_submission_pdf, "delay", lambda **kwargs: queued.append(kwargs)
    )
    long_ago = timezone.now() - timedelta(hours=1)

    def make(iso3, **fields):
        submission = submission_full(
            edition=edition, country=Country.objects.get(iso3=iso3), values={}
        )
        fields.setdefault("submitted_at", long_ago)
        Submission.objects.filter(pk=submission.pk).update(**fields)
        return submission

    missing = make("UZB")
    make("FRA", pdf_version=1)  # rendered
    make("KEN", status=Submission.Status.DRAFT, submitted_version=None)  # never submitted
    failed = make("PER")
    SubmissionEvent.objects.create(
        submission=failed, kind=SubmissionEvent.Kind.PDF_FAILED, version=1
    )
    make("JPN", submitted_at=timezone.now())  # its own task is on its way
    outdated = make("BRA", pdf_version=1, submitted_version=2)  # resubmitted, v2 missing

    with django_capture_on_commit_callbacks(execute=True):
        assert pdf_render_queue_missing() == 2

    assert sorted((call["submission_id"], call["version"]) for call in queued) == sorted(
        [(missing.pk, 1), (outdated.pk, 2)]
    )


def test_render_pdfs_command_renders_a_country_again(media, stub_renderer, submitted, capsys):
    submission_pdf_render(submission_id=submitted.pk, version=1)

    call_command("render_pdfs", "--country", "uzb")

    assert stub_renderer == [submitted.pk, submitted.pk]
    assert "UZB msq-2020 v1: rendered" in capsys.readouterr().out
    assert _pdf_files(media) == ["UZB-msq-2020-v1.pdf"]


def test_render_pdfs_command_all_missing_skips_stored_ones(
    media, stub_renderer, submitted, edition, country_b
):
    other = submission_full(edition=edition, country=country_b, values={})
    submission_pdf_render(submission_id=submitted.pk, version=1)

    call_command("render_pdfs", "--all-missing")

    assert stub_renderer == [submitted.pk, other.pk]
    assert _pdf_files(media) == ["FRA-msq-2020-v1.pdf", "UZB-msq-2020-v1.pdf"]


def test_render_pdfs_command_refuses_an_unknown_country(db):
    with pytest.raises(CommandError, match="XXX"):
        call_command("render_pdfs", "--country", "XXX")


@pytest.mark.django_db(transaction=True)
def test_worker_renders_a_submitted_pdf_end_to_end(celery_worker_process, edition, country_a):
    """With a broker this goes through Redis to a real worker process; without, in-process."""
    submission = submission_full(edition=edition, country=country_a)
    with transaction.atomic():
        pdf_render_queue(submission=submission)

    def rendered():
        submission.refresh_from_db()
        return submission.pdf_version == 1

    wait_for(rendered, timeout=120)
    with submission.pdf.open("rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == submission.pdf_sha256
    assert submission.events.filter(kind=SubmissionEvent.Kind.PDF_RENDERED).count() == 1
