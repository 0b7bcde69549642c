"""Export files are deleted after MSQ_EXPORT_RETENTION_DAYS; their jobs stay as the record."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from msq_portal.celery import app
from questionnaire.exports.jobs import export_files_expire, export_job_run
from questionnaire.models import ExportJob
from tests.factories import ExportJobFactory
from tests.page_checks import csp_violations

EXPORTS = reverse("questionnaire:staff_exports")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MSQ_EXPORT_RETENTION_DAYS = 7
    return tmp_path


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _done(edition, *, days_ago: float) -> ExportJob:
    """A finished export whose file was written `days_ago` days ago."""
    job = ExportJobFactory(edition=edition, done=True)
    ExportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(days=days_ago)
    )
    job.refresh_from_db()
    assert default_storage.exists(job.file.name)
    return job


def _week_ago():
    return timezone.now() - timedelta(days=7)


def _download(job) -> str:
    return reverse("questionnaire:staff_export_download", args=[job.pk])


def test_export_files_expire_deletes_old_file_and_keeps_the_record(
    edition, django_capture_on_commit_callbacks
):
    old = _done(edition, days_ago=8)
    recent = _done(edition, days_ago=2)
    record = (old.created_by_id, old.created_at, old.exporter, old.file_sha256)
    old_name = old.file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert export_files_expire(older_than=_week_ago()) == 1

    old.refresh_from_db()
    assert old.status == ExportJob.Status.EXPIRED
    assert old.get_status_display() == "Expired"
    assert not old.file
    assert not default_storage.exists(old_name)
    # Who exported what, when (and the file's checksum) is kept.
    assert (old.created_by_id, old.created_at, old.exporter, old.file_sha256) == record
    assert old.created_by_id and old.file_sha256
    recent.refresh_from_db()
    assert recent.status == ExportJob.Status.DONE
    assert default_storage.exists(recent.file.name)


@pytest.mark.parametrize(
    "status", [ExportJob.Status.QUEUED, ExportJob.Status.RUNNING, ExportJob.Status.FAILED]
)
def test_export_files_expire_unfinished_or_failed_job_untouched(
    edition, status, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(days=90)
    job = ExportJobFactory(edition=edition, status=status)
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=long_ago, started_at=long_ago, progress_total=3, progress_done=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert export_files_expire(older_than=_week_ago()) == 0

    job.refresh_from_db()
    assert (job.status, job.progress_done) == (status, 1)


def test_export_files_expire_rolled_back_keeps_job_and_file(
    edition, django_capture_on_commit_callbacks
):
    job = _done(edition, days_ago=8)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert export_files_expire(older_than=_week_ago()) == 1
        # Not deleted before the commit ...
        assert default_storage.exists(job.file.name)
        raise RuntimeError("the surrounding transaction fails")

    # ... so a rollback leaves the job downloadable.
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert default_storage.exists(job.file.name)


def test_export_files_expire_missing_file_is_not_an_error(
    edition, django_capture_on_commit_callbacks
):
    job = _done(edition, days_ago=8)
    default_storage.delete(job.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert export_files_expire(older_than=_week_ago()) == 1

    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED


def test_export_files_expire_storage_failure_logged_others_still_deleted(
    edition, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    stuck, other = _done(edition, days_ago=9), _done(edition, days_ago=8)
    delete = default_storage.delete

    def flaky_delete(name):
        if name == stuck.file.name:
            raise OSError("storage unavailable")
        delete(name)

    monkeypatch.setattr(default_storage, "delete", flaky_delete)

    with django_capture_on_commit_callbacks(execute=True):
        assert export_files_expire(older_than=_week_ago()) == 2

    assert not default_storage.exists(other.file.name)
    assert stuck.file.name in caplog.text
    assert ExportJob.objects.filter(status=ExportJob.Status.EXPIRED).count() == 2


def test_export_job_run_leaves_expired_job_alone(edition, django_capture_on_commit_callbacks):
    """A late redelivery of the job's task must not write the file again."""
    job = _done(edition, days_ago=8)
    with django_capture_on_commit_callbacks(execute=True):
        export_files_expire(older_than=_week_ago())

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert not job.file


# --- Running it: the command, and celery beat ------------------------------------


def test_expire_exports_command_uses_setting_and_days_override(
    edition, settings, capsys, django_capture_on_commit_callbacks
):
    settings.MSQ_EXPORT_RETENTION_DAYS = 30
    ten_days, two_days = _done(edition, days_ago=10), _done(edition, days_ago=2)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_exports")
    assert "0 export file(s) older than 30 day(s) expired." in capsys.readouterr().out

    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_exports", "--days", "5")
    assert "1 export file(s) older than 5 day(s) expired." in capsys.readouterr().out

    assert not default_storage.exists(ten_days.file.name)
    assert default_storage.exists(two_days.file.name)


def test_expire_exports_command_negative_days_refused(db):
    with pytest.raises(CommandError, match="-1 days"):
        call_command("expire_exports", "--days", "-1")


def test_beat_schedule_runs_the_expiry_task_daily(
    edition, settings, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-export-files"]
    # The modules a worker imports at start: the entry must name a task they register.
    app.loader.import_default_modules()
    task = app.tasks[entry["task"]]
    assert isinstance(entry["schedule"], crontab)
    assert len(entry["schedule"].hour) == len(entry["schedule"].minute) == 1
    old = _done(edition, days_ago=8)

    with django_capture_on_commit_callbacks(execute=True):
        assert task.apply().get() == 1

    assert not default_storage.exists(old.file.name)


# --- What reviewers see ------------------------------------------------------------


def test_exports_page_expired_job_shown_without_link(
    reviewer_client, edition, django_capture_on_commit_callbacks
):
    expired, ready = _done(edition, days_ago=8), _done(edition, days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        export_files_expire(older_than=_week_ago())

    page = reviewer_client.get(EXPORTS).content.decode()

    assert "<td>Expired</td>" in page
    assert _download(expired) not in page
    assert _download(ready) in page
    assert "each is deleted 7 days after it is ready" in page


def test_export_job_page_expired_explained_without_link(
    reviewer_client, edition, django_capture_on_commit_callbacks
):
    job = _done(edition, days_ago=8)
    with django_capture_on_commit_callbacks(execute=True):
        export_files_expire(older_than=_week_ago())

    page = reviewer_client.get(reverse("questionnaire:staff_export", args=[job.pk]))
    status = reviewer_client.get(reverse("questionnaire:staff_export_status", args=[job.pk]))

    content = page.content.decode()
    assert "has been deleted" in content
    assert _download(job) not in content
    assert status.json() | {"finished": True, "download_url": ""} == status.json()


def test_export_download_of_expired_job_is_410_with_explanation(
    reviewer_client, edition, django_capture_on_commit_callbacks
):
    job = _done(edition, days_ago=8)
    with django_capture_on_commit_callbacks(execute=True):
        export_files_expire(older_than=_week_ago())

    response = reviewer_client.get(_download(job))

    assert response.status_code == 410
    content = response.content.decode()
    assert "<h1>Export file deleted</h1>" in content
    assert "has been deleted" in content
    assert f'href="{EXPORTS}"' in content
    assert csp_violations(content) == []
