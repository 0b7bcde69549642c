"""Export jobs' lease: a run claims its job, beats as it progresses, and a lost worker's job
is queued again or failed by the sweeper."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from questionnaire.exports import jobs as export_jobs
from questionnaire.exports.jobs import export_job_run, export_jobs_recover
from questionnaire.models import ExportJob, PendingTask
from tests.conftest import wait_for
from tests.factories import submission_full

LONG_AGO = timedelta(minutes=5)


@pytest.fixture
def running(edition, country_a, reviewer):
    """A job a worker took 5 minutes ago and has not beaten for since: that worker is gone."""
    submission_full(edition=edition, country=country_a)
    then = timezone.now() - LONG_AGO
    return ExportJob.objects.create(
        edition=edition,
        exporter="json",
        statuses=["submitted"],
        created_by=reviewer,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        started_at=then,
        heartbeat_at=then,
    )


def test_export_job_run_leaves_a_job_with_a_live_lease(running):
    ExportJob.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now())

    job = export_job_run(job_id=running.pk)

    # A second message for the job (a redelivery) does not run it twice.
    assert (job.status, job.attempts, job.file.name) == (ExportJob.Status.RUNNING, 1, "")


def test_export_job_run_takes_over_an_expired_lease(running):
    job = export_job_run(job_id=running.pk)

    assert (job.status, job.attempts) == (ExportJob.Status.DONE, 2)
    assert job.heartbeat_at > running.heartbeat_at


def test_export_job_run_out_of_attempts_is_left_to_the_sweeper(running, settings):
    ExportJob.objects.filter(pk=running.pk).update(attempts=settings.MSQ_EXPORT_MAX_ATTEMPTS)

    job = export_job_run(job_id=running.pk)

    assert job.status == ExportJob.Status.RUNNING


def test_export_job_run_stops_when_its_job_went_to_another_run(running, monkeypatch):
    ExportJob.objects.filter(pk=running.pk).update(status=ExportJob.Status.QUEUED)
    monkeypatch.setattr(export_jobs, "PROGRESS_INTERVAL_SECONDS", 0)
    write = export_jobs.EXPORTERS["json"].write

    def slow_write(self, *, submissions, out, progress=None):
        # Meanwhile the sweeper took this run for dead and another run claimed the job.
        ExportJob.objects.filter(pk=running.pk).update(attempts=3)
        write(self, submissions=submissions, out=out, progress=progress)

    monkeypatch.setattr(export_jobs.EXPORTERS["json"], "write", slow_write)

    job = export_job_run(job_id=running.pk)

    assert (job.status, job.attempts, job.file.name) == (ExportJob.Status.RUNNING, 3, "")


def test_export_job_run_beats_as_it_progresses(running, monkeypatch):
    ExportJob.objects.filter(pk=running.pk).update(status=ExportJob.Status.QUEUED)
    monkeypatch.setattr(export_jobs, "PROGRESS_INTERVAL_SECONDS", 0)
    beats = []
    write = export_jobs.EXPORTERS["json"].write

    def watched_write(self, *, submissions, out, progress=None):
        def watched(done):
            progress(done)
            beats.append(ExportJob.objects.get(pk=running.pk).heartbeat_at)

        write(self, submissions=submissions, out=out, progress=watched)

    monkeypatch.setattr(export_jobs.EXPORTERS["json"], "write", watched_write)

    export_job_run(job_id=running.pk)

    assert beats and all(beat > running.heartbeat_at for beat in beats)


@pytest.mark.django_db(transaction=True)
def test_export_jobs_recover_requeues_a_lost_job_and_it_finishes(running, celery_worker_process):
    # Run by a real worker on PostgreSQL + Redis, in-process on the embedded default.
    counts = export_jobs_recover()

    assert (counts["requeued"], counts["failed"]) == (1, 0)
    wait_for(lambda: ExportJob.objects.get(pk=running.pk).is_finished, timeout=60)
    job = ExportJob.objects.get(pk=running.pk)
    assert (job.status, job.attempts) == (ExportJob.Status.DONE, 2)
    assert job.worker_lost_at is not None
    assert PendingTask.objects.get().kwargs == {"job_id": job.pk}


@pytest.fixture
def own_media(settings, tmp_path):
    """A media directory of the test's own: other tests' export files are not its orphans."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_export_jobs_recover_leaves_live_and_finished_jobs(running, own_media):
    ExportJob.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now())
    ExportJob.objects.create(
        edition=running.edition, exporter="json", status=ExportJob.Status.DONE, attempts=1
    )

    assert export_jobs_recover() == {"requeued": 0, "failed": 0, "orphans": 0}
    assert not PendingTask.objects.exists()


def test_export_jobs_recover_fails_a_job_out_of_attempts(running, settings, own_media):
    ExportJob.objects.filter(pk=running.pk).update(attempts=settings.MSQ_EXPORT_MAX_ATTEMPTS)

    assert export_jobs_recover() == {"requeued": 0, "failed": 1, "orphans": 0}

    job = ExportJob.objects.get(pk=running.pk)
    assert job.status == ExportJob.Status.FAILED
    assert "stopped 3 times" in job.error and "Request the export again" in job.error
    assert not PendingTask.objects.exists()


def test_export_job_page_tells_the_worker_stopped_and_restarted(client, reviewer, running):
    lost_at = timezone.now() - timedelta(minutes=1)
    ExportJob.objects.filter(pk=running.pk).update(
        worker_lost_at=lost_at, attempts=2, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    client.force_login(reviewer)

    page = client.get(reverse("questionnaire:staff_export", args=[running.pk])).content.decode()
    status = client.get(reverse("questionnaire:staff_export_status", args=[running.pk])).json()

    assert "The worker running this export stopped at" in page
    assert "restarted at" in status["notice"]


def test_export_job_page_says_a_requeued_job_restarts(client, reviewer, running):
    ExportJob.objects.filter(pk=running.pk).update(
        status=ExportJob.Status.QUEUED, worker_lost_at=timezone.now()
    )
    client.force_login(reviewer)

    status = client.get(reverse("questionnaire:staff_export_status", args=[running.pk])).json()

    assert "it will restart from the beginning" in status["notice"]


def test_export_job_run_names_its_file_after_the_job_and_the_run(running, own_media):
    job = export_job_run(job_id=running.pk)

    assert job.status == ExportJob.Status.DONE
    assert job.file.name.startswith(f"exports/{job.pk}-2-msq-")
    assert (own_media / job.file.name).is_file()


def _stored(name: str, *, age: timedelta) -> str:
    stored = default_storage.save(name, ContentFile(b'{"partial": '))
    then = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(stored), (then, then))
    return stored


def test_export_jobs_recover_deletes_files_no_job_points_to(running, settings, own_media):
    """A run killed after writing its file and before recording it: the sweeper deletes it."""
    lease = timedelta(seconds=settings.MSQ_EXPORT_LEASE_SECONDS)
    recorded = _stored(f"exports/{running.pk}-1-msq-2020-json-done.json", age=LONG_AGO)
    ExportJob.objects.filter(pk=running.pk).update(
        status=ExportJob.Status.DONE, file=recorded, heartbeat_at=timezone.now()
    )
    crashed = _stored(f"exports/{running.pk}-2-msq-2020-json-lost.json", age=lease * 2)
    writing = _stored(f"exports/{running.pk}-3-msq-2020-json-now.json", age=lease / 2)

    assert export_jobs_recover()["orphans"] == 1

    assert not default_storage.exists(crashed)
    # The job's file, and a file young enough to be a live run's about to record it, stay.
    assert default_storage.exists(recorded) and default_storage.exists(writing)
    assert export_jobs_recover()["orphans"] == 0


def test_export_jobs_recover_without_any_export_file_finds_no_orphan(running, own_media):
    assert export_jobs_recover()["orphans"] == 0
