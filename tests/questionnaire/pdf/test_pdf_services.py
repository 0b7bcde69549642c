"""Rendering, storing and queueing submission PDFs: once per submitted version, whatever happens."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction
from django.utils import timezone

from questionnaire import tasks
from questionnaire.filling.submitting import submission_submit
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.pdf import render as pdf_render
from questionnaire.pdf import services as pdf_services
from questionnaire.pdf.services import (
    PdfOutcome,
    pdf_render_queue,
    pdf_render_queue_missing,
    submission_pdf_render,
)
from tests.conftest import wait_for
from tests.factories import submission_full

STUB_PDF = b"%PDF-1.7 stub rendering\n%%EOF\n"
# Content-addressed: the stub's bytes name the file.
STUB_FILE = f"UZB-msq-2020-v1-{hashlib.sha256(STUB_PDF).hexdigest()[:16]}.pdf"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A media directory of this test's own, so that the files it leaves can be counted."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def stub_renderer(monkeypatch) -> list:
    """Replace WeasyPrint by a stub (these tests are about storing, not drawing); records calls."""
    calls = []

    def render(snapshot, *, draft=False, language=None):
        calls.append(snapshot.submission.pk)
        return STUB_PDF

    monkeypatch.setattr(pdf_render, "submission_pdf", render)
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
    assert _pdf_files(media) == [STUB_FILE]
    submitted.refresh_from_db()
    assert submitted.pdf.name == f"submissions/pdf/{STUB_FILE}"
    assert submitted.pdf_version == 1
    assert submitted.pdf_sha256 == hashlib.sha256(STUB_PDF).hexdigest()
    assert submitted.pdf_rendered_at is not None
    assert submitted.events.filter(kind=SubmissionEvent.Kind.PDF_RENDERED).count() == 1


def test_render_forced_never_writes_over_the_file_the_row_points_to(
    media, stub_renderer, submitted, django_capture_on_commit_callbacks
):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf" / STUB_FILE).write_bytes(b"tampered")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = submission_pdf_render(submission_id=submitted.pk, version=1, force=True)

    assert outcome == PdfOutcome.RENDERED
    submitted.refresh_from_db()
    # A new file, then the row moved to it, then the superseded one deleted.
    assert _pdf_files(media) == [Path(submitted.pdf.name).name]
    assert submitted.pdf.name != f"submissions/pdf/{STUB_FILE}"
    assert (media / submitted.pdf.name).read_bytes() == STUB_PDF
    assert submitted.pdf_sha256 == hashlib.sha256(STUB_PDF).hexdigest()


def test_render_forced_of_a_newer_rendering_deletes_the_old_file_after_commit(
    media, monkeypatch, submitted, django_capture_on_commit_callbacks
):
    renderings = iter([b"%PDF-1.7 first", b"%PDF-1.7 second"])
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, language=None: next(renderings)
    )
    submission_pdf_render(submission_id=submitted.pk, version=1)
    submitted.refresh_from_db()
    first = submitted.pdf.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_pdf_render(submission_id=submitted.pk, version=1, force=True)
        # Before the commit both files exist: the row may still point to the first.
        assert (media / first).exists()
        assert len(_pdf_files(media)) == 2
    for callback in callbacks:
        callback()

    submitted.refresh_from_db()
    assert _pdf_files(media) == [Path(submitted.pdf.name).name]
    assert (media / submitted.pdf.name).read_bytes() == b"%PDF-1.7 second"


def test_render_killed_before_the_row_moves_keeps_row_and_file_in_agreement(
    media, monkeypatch, submitted
):
    """A crash between writing the new file and recording it: the old record still verifies."""
    renderings = iter([b"%PDF-1.7 first", b"%PDF-1.7 second"])
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, language=None: next(renderings)
    )
    submission_pdf_render(submission_id=submitted.pk, version=1)

    def killed(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pdf_services.SubmissionEvent.objects, "create", killed)
    with pytest.raises(OperationalError):
        submission_pdf_render(submission_id=submitted.pk, version=1, force=True)

    submitted.refresh_from_db()
    assert pdf_services.pdf_read_verified(submission=submitted) == b"%PDF-1.7 first"
    assert _pdf_files(media) == [Path(submitted.pdf.name).name]  # the new file was removed


def test_render_with_the_file_not_matching_its_sha256_renders_it_again(
    media, stub_renderer, submitted
):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf" / STUB_FILE).write_bytes(b"%PDF-1.7 half-written")

    assert submission_pdf_render(submission_id=submitted.pk, version=1) == PdfOutcome.RENDERED
    submitted.refresh_from_db()
    assert pdf_services.pdf_read_verified(submission=submitted) == STUB_PDF


def test_render_with_the_file_gone_renders_it_again(media, stub_renderer, submitted):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf" / STUB_FILE).unlink()

    assert submission_pdf_render(submission_id=submitted.pk, version=1) == PdfOutcome.RENDERED
    assert _pdf_files(media) == [STUB_FILE]


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
    def broken(snapshot, *, draft=False, language=None):
        raise ValueError("layout exploded")

    monkeypatch.setattr(pdf_render, "submission_pdf", broken)

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
    def too_slow(snapshot, *, draft=False, language=None):
        raise SoftTimeLimitExceeded("SIGUSR1")  # what Celery raises inside the renderer

    monkeypatch.setattr(pdf_render, "submission_pdf", too_slow)

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

    monkeypatch.setattr(tasks, "submission_pdf_render", flaky)
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )

    # throw=False: Celery then runs the retry in this process, as a worker would after the backoff.
    result = tasks.task_render_submission_pdf.apply(
        kwargs={"submission_id": submitted.pk, "version": 1}, throw=False
    )

    assert result.get() == PdfOutcome.RENDERED
    assert len(attempts) == 2
    assert _pdf_files(media) == [STUB_FILE]


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
    assert _pdf_files(media) == [STUB_FILE.replace("-v1-", f"-v{submitted.submitted_version}-")]


@pytest.mark.pdf
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
    rendered = make("FRA")
    submission_pdf_render(submission_id=rendered.pk, version=1)  # rendered and stored
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


def test_sweeper_twice_queues_each_version_once(
    monkeypatch, submitted, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        tasks.task_render_submission_pdf, "delay", lambda **kwargs: queued.append(kwargs)
    )
    Submission.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert pdf_render_queue_missing() == 1
        assert pdf_render_queue_missing() == 0  # the first one's task is still on its way

    assert queued == [{"submission_id": submitted.pk, "version": 1, "force": False}]


def test_sweeper_repairs_a_pdf_gone_or_not_matching_its_sha256(
    media, stub_renderer, queued, submitted, django_capture_on_commit_callbacks
):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf" / STUB_FILE).write_bytes(b"%PDF-1.7 cut short")

    with django_capture_on_commit_callbacks(execute=True):
        assert pdf_render_queue_missing() == 1

    submitted.refresh_from_db()
    assert pdf_services.pdf_read_verified(submission=submitted) == STUB_PDF
    assert _pdf_files(media) == [Path(submitted.pdf.name).name]


def test_render_pdfs_command_renders_a_country_again(media, stub_renderer, submitted, capsys):
    submission_pdf_render(submission_id=submitted.pk, version=1)

    call_command("render_pdfs", "--country", "uzb")

    assert stub_renderer == [submitted.pk, submitted.pk]
    assert "UZB msq-2020 v1: rendered" in capsys.readouterr().out
    assert _pdf_files(media) == [STUB_FILE]


def test_render_pdfs_command_all_missing_skips_stored_ones(
    media, stub_renderer, submitted, edition, country_b
):
    other = submission_full(edition=edition, country=country_b, values={})
    submission_pdf_render(submission_id=submitted.pk, version=1)

    call_command("render_pdfs", "--all-missing")

    assert stub_renderer == [submitted.pk, other.pk]
    assert _pdf_files(media) == [STUB_FILE.replace("UZB", "FRA"), STUB_FILE]


def test_render_pdfs_command_all_missing_skips_one_a_worker_is_rendering(
    media, stub_renderer, submitted, capsys
):
    assert pdf_services.pdf_lease_take(submission_id=submitted.pk, version=1)

    call_command("render_pdfs", "--all-missing")

    assert stub_renderer == []
    assert "UZB msq-2020 v1: already queued or rendering" in capsys.readouterr().out


def test_render_pdfs_command_all_missing_renders_a_file_not_matching_its_sha256(
    media, stub_renderer, submitted
):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    (media / "submissions/pdf" / STUB_FILE).write_bytes(b"garbage")

    call_command("render_pdfs", "--all-missing")

    submitted.refresh_from_db()
    assert stub_renderer == [submitted.pk, submitted.pk]
    assert pdf_services.pdf_read_verified(submission=submitted) == STUB_PDF


def test_render_pdfs_command_refuses_an_unknown_country(db):
    with pytest.raises(CommandError, match="XXX"):
        call_command("render_pdfs", "--country", "XXX")


@pytest.mark.pdf
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
