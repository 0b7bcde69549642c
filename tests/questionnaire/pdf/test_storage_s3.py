"""PDFs and exports in an S3-compatible bucket, over HTTP (moto_server; MinIO in compose).

Render, download, ZIP export and expiry go through the bucket; a bucket that
does not answer makes the PDF task retry (the page says the PDF is being
prepared) and a download answer 503 "try again", never a 500.
"""

import hashlib
import io
import uuid
import zipfile
from datetime import timedelta

import boto3
import pytest
from django.urls import reverse
from django.utils import timezone

from msq_portal.storage import S3_BACKEND, STORAGE_ERRORS, s3_options
from questionnaire.exports.jobs import (
    export_files_expire,
    export_files_orphaned_delete,
    export_job_run,
)
from questionnaire.models import ExportJob
from questionnaire.pdf.services import PdfOutcome, submission_pdf_render
from questionnaire.tasks import task_render_submission_pdf
from tests import factories


def _use_bucket(settings, endpoint: str, bucket: str) -> None:
    options = s3_options(
        url=f"s3://test:secret@{bucket}?endpoint_url={endpoint}&region=us-east-1", environ={}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": options},
    }


@pytest.fixture
def bucket(settings, s3_endpoint):
    name = f"msq-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="secret",
    )
    client.create_bucket(Bucket=name)
    _use_bucket(settings, s3_endpoint, name)
    return client, name


def _keys(bucket) -> set[str]:
    client, name = bucket
    return {item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])}


@pytest.fixture
def submitted(edition, country_a, focal_point):
    return factories.submission_full(edition=edition, country=country_a, submitted_by=focal_point)


@pytest.mark.pdf
def test_pdf_rendered_into_bucket_is_downloaded_with_its_bytes(
    client, bucket, submitted, focal_point, settings, tmp_path
):
    assert submission_pdf_render(submission_id=submitted.pk, version=1) == PdfOutcome.RENDERED
    submitted.refresh_from_db()
    assert submitted.pdf.name in _keys(bucket)
    client.force_login(focal_point)
    response = client.get(reverse("questionnaire:submission_pdf", args=[submitted.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == submitted.pdf_sha256


@pytest.mark.pdf
def test_zip_export_reads_pdfs_from_bucket_and_expires_there(
    bucket, submitted, reviewer, django_capture_on_commit_callbacks
):
    submission_pdf_render(submission_id=submitted.pk, version=1)
    job = ExportJob.objects.create(
        edition=submitted.edition, exporter="pdf_zip", created_by=reviewer
    )
    job = export_job_run(job_id=job.pk)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name in _keys(bucket)
    with job.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert any("UZB" in name for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        assert export_files_expire(older_than=timezone.now() + timedelta(seconds=1)) == 1
    assert job.file.name not in _keys(bucket)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED


@pytest.mark.pdf
def test_bucket_down_at_render_is_retried_and_page_says_pending(
    client, settings, submitted, focal_point
):
    # A port nobody listens on: the bucket does not answer.
    from tests.conftest import _free_port

    _use_bucket(settings, f"http://127.0.0.1:{_free_port()}", "gone")
    with pytest.raises(STORAGE_ERRORS) as raised:
        submission_pdf_render(submission_id=submitted.pk, version=1)
    assert isinstance(raised.value, task_render_submission_pdf.autoretry_for)
    submitted.refresh_from_db()
    assert (submitted.pdf.name, submitted.pdf_error) == ("", "")
    client.force_login(focal_point)
    page = client.get(reverse("questionnaire:home"), follow=True)
    assert page.status_code == 200
    assert "being prepared" in page.content.decode()


@pytest.mark.pdf
def test_download_while_bucket_down_is_503_try_again(
    client, settings, bucket, submitted, focal_point
):
    from tests.conftest import _free_port

    submission_pdf_render(submission_id=submitted.pk, version=1)
    _use_bucket(settings, f"http://127.0.0.1:{_free_port()}", bucket[1])
    client.force_login(focal_point)
    response = client.get(reverse("questionnaire:submission_pdf", args=[submitted.pk]))
    assert response.status_code == 503
    assert "try again" in response.content.decode()


def test_export_file_orphaned_in_bucket_is_deleted_by_the_sweeper(
    bucket, edition, reviewer, settings
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    job = ExportJob.objects.create(edition=edition, exporter="json", created_by=reviewer)
    job.file.save(f"{job.pk}-1-msq-2020-json.json", ContentFile(b"{}"))  # recorded
    orphan = default_storage.save(f"exports/{job.pk}-2-msq-2020-json.json", ContentFile(b"{"))
    after_the_lease = timezone.now() + timedelta(seconds=settings.MSQ_EXPORT_LEASE_SECONDS + 1)

    assert export_files_orphaned_delete() == 0  # too young: may be a live run's
    assert export_files_orphaned_delete(now=after_the_lease) == 1

    assert _keys(bucket) == {job.file.name}
    assert orphan != job.file.name
