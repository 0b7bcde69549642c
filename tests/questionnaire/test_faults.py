"""Faults of the worker system, reproduced for real with a Redis server and Celery workers that
each test starts itself (never the shared Redis): a worker killed mid-export, a worker killed
mid-render of a submission PDF, an export requested while Redis is down, a hung (SIGSTOPped)
Redis.

They run on both legs: on the embedded default the workers read the suite's SQLite test
database file, and this process queues to the test's Redis instead of running tasks in-process.
"""

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.models import Country
from msq_portal.celery import app as celery_app
from questionnaire.exports.jobs import export_job_create
from questionnaire.filling.submitting import submission_submit
from questionnaire.models import ExportJob, PendingTask, Submission, SubmissionEvent
from tests.conftest import PROJECT_ROOT, _database_url_for_worker, wait_for
from tests.factories import submission_full

HEALTHZ_TOKEN = "fault-probe-token"
# Short enough that a lost worker is found within the test, long enough for a loaded machine.
LEASE_SECONDS = 4
SWEEP_SECONDS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on a free port: stopped, started, frozen at will."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self._answers, timeout=10, interval=0.1)

    def _answers(self) -> bool:
        ping = ["redis-cli", "-p", str(self.port), "ping"]
        return subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG"

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def _reset_broker_connections() -> None:
    # The app's pools were made for the URL it had: let it make new ones. (Not closed:
    # kombu keeps them in a registry by URL, and the suite's broker would get a closed one.)
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_own_broker(redis_server, settings, monkeypatch):
    """This process queues to the test's own Redis (the web side of the portal)."""
    _reset_broker_connections()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    monkeypatch.setitem(celery_app.conf, "broker_url", redis_server.url)
    settings.CELERY_BROKER_URL = redis_server.url
    # On the embedded default tasks run in-process: here they go to the broker, as in production.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTHZ_TOKEN = HEALTHZ_TOKEN
    assert celery_app.conf.broker_write_url == redis_server.url
    yield redis_server
    if redis_server.process is not None:
        redis_server.thaw()
    _reset_broker_connections()


class Workers:
    """Celery workers on the test's Redis, each in its own process group (to kill -9 whole)."""

    def __init__(self, redis: RedisServer, directory: Path):
        self.redis = redis
        self.directory = directory
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, *, beat: bool = False, **env: str) -> Path:
        log = self.directory / f"{name}.log"
        command = [sys.executable, "-m", "tests.questionnaire.fault_worker"]
        command += ["--loglevel=INFO", "--concurrency=1", "--without-gossip"]
        command += ["--without-mingle", "--without-heartbeat", "-Q", "msq", "-n", f"{name}@%h"]
        if beat:
            command += ["--beat", "--schedule", str(self.directory / f"{name}-beat")]
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "DATABASE_URL": _database_url_for_worker(),
                "CELERY_BROKER_URL": self.redis.url,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "MSQ_EXPORT_LEASE_SECONDS": str(LEASE_SECONDS),
                "MSQ_EXPORT_SWEEP_SECONDS": str(SWEEP_SECONDS),
                "MSQ_OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
                "PYTHONUNBUFFERED": "1",
                **env,
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        wait_for(lambda: "ready." in log.read_text(), timeout=45)
        return log

    def kill(self, index: int) -> None:
        """kill -9 the whole worker: its main process and its pool's children."""
        process = self.processes[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def workers(on_own_broker, tmp_path):
    started = Workers(on_own_broker, tmp_path)
    yield started
    started.stop_all()


def _export(edition, reviewer) -> ExportJob:
    with transaction.atomic():
        return export_job_create(
            edition=edition, exporter="json", statuses=["submitted"], user=reviewer
        )


def _received(log: Path) -> list[str]:
    return re.findall(r"task_run_export\[([0-9a-f-]+)\] received", log.read_text())


@pytest.mark.django_db(transaction=True)
def test_export_whose_worker_is_killed_is_restarted_and_done_once(
    workers, edition, countries, reviewer
):
    for iso3 in ("UZB", "FRA", "KEN", "BRA", "NZL"):
        submission_full(edition=edition, country=Country.objects.get(iso3=iso3))
    slow = workers.start("slow", FAULT_EXPORT_DELAY="1")
    job = _export(edition, reviewer)
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING)
    (lost_message,) = _received(slow)

    workers.kill(0)
    killed_at = time.monotonic()
    # Its message stays unacknowledged in Redis; it comes back after the visibility timeout.
    rescuer = workers.start("rescuer", beat=True, CELERY_VISIBILITY_TIMEOUT="20")
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).is_finished, timeout=45)
    recovered_in = time.monotonic() - killed_at

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.attempts, job.progress_done) == (2, 5)
    assert job.worker_lost_at is not None
    print(f"killed worker's export done {recovered_in:.1f} s after the kill")
    assert recovered_in < 45

    # The killed worker's own message, redelivered late, finds the job done and does nothing.
    wait_for(lambda: lost_message in _received(rescuer), timeout=40)
    wait_for(lambda: f"task_run_export[{lost_message}] succeeded" in rescuer.read_text())
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.DONE, 2)
    assert len(list((Path(settings.MEDIA_ROOT) / "exports").glob(f"*{job.file.name[-12:]}"))) == 1


@pytest.mark.django_db(transaction=True)
def test_export_requested_while_redis_is_down_runs_once_it_is_back(
    workers, client, edition, country_a, reviewer
):
    submission_full(edition=edition, country=country_a)
    client.force_login(reviewer)
    redis = workers.redis
    redis.stop()

    started = time.monotonic()
    response = client.post(
        reverse("questionnaire:staff_exports"),
        {"edition": edition.pk, "exporter": "json", "statuses": ["submitted"]},
    )
    answered_in = time.monotonic() - started

    job = ExportJob.objects.get()
    assert response.status_code == 302
    print(f"export requested with Redis down: answered in {answered_in:.1f} s")
    assert answered_in < 8
    assert job.status == ExportJob.Status.QUEUED
    assert PendingTask.objects.get(sent_at__isnull=True).kwargs == {"job_id": job.pk}
    assert "the worker system is not answering" in client.get(response["Location"]).text

    redis.start()
    back_at = time.monotonic()
    workers.start("after-outage", beat=True)
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).is_finished, timeout=40)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert PendingTask.objects.get().sent_at is not None
    print(f"export done {time.monotonic() - back_at:.1f} s after Redis came back")


@pytest.mark.django_db(transaction=True)
def test_hung_redis_neither_health_probe_nor_submit_hangs(
    on_own_broker, client, edition, country_a, focal_point
):
    redis = on_own_broker
    authorised = {"Authorization": f"Bearer {HEALTHZ_TOKEN}"}
    assert client.get("/healthz", headers=authorised).json()["broker"] == "ok"
    submission = submission_full(edition=edition, country=country_a, status="draft")

    redis.freeze()
    timings = {}
    started = time.monotonic()
    public = client.get("/healthz")
    timings["public probe"] = time.monotonic() - started
    started = time.monotonic()
    detailed = client.get("/healthz", headers=authorised)
    timings["detailed probe"] = time.monotonic() - started
    client.force_login(focal_point)
    started = time.monotonic()
    submitted = client.post(
        "/review/submit", {"consent": "granted", "base_version": submission.version}
    )
    timings["submit"] = time.monotonic() - started
    print("with Redis SIGSTOPped: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))

    assert (public.status_code, public.json()) == (200, {"status": "ok"})
    assert detailed.json()["broker"] in {"not answering", "unreachable"}
    assert submitted.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    told = client.get(submitted["Location"]).text.replace("&#x27;", "'")
    assert "will follow when the portal's background system is back" in told
    assert timings["public probe"] < 1
    assert timings["detailed probe"] < settings.HEALTHZ_BROKER_TIMEOUT + 1
    assert timings["submit"] < 10


# The PDF's lease and the sweeper's grace and period, short for the test (defaults: 210 s,
# 120 s, 300 s); the formula in README's "Submission PDFs" is the same.
PDF_LEASE_SECONDS = 8
PDF_GRACE_SECONDS = 4
PDF_SWEEP_SECONDS = 2


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_pdf_whose_worker_is_killed_mid_render_is_stored_once(
    workers, settings, tmp_path, edition, country_a, focal_point
):
    redis = workers.redis
    # One media directory and one cache (the render lease) for this process and the workers.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache_url = f"redis://127.0.0.1:{redis.port}/1"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    }
    settings.MSQ_PDF_LEASE_SECONDS = PDF_LEASE_SECONDS
    settings.MSQ_PDF_SWEEP_GRACE_SECONDS = PDF_GRACE_SECONDS
    pdf_settings = {
        "CACHE_URL": cache_url,
        "MSQ_PDF_LEASE_SECONDS": str(PDF_LEASE_SECONDS),
        "MSQ_PDF_SWEEP_GRACE_SECONDS": str(PDF_GRACE_SECONDS),
        "MSQ_PDF_SWEEP_SECONDS": str(PDF_SWEEP_SECONDS),
    }
    slow = workers.start("slow-render", FAULT_PDF_DELAY="120", **pdf_settings)
    draft = submission_full(edition=edition, country=country_a, status="draft")

    submitted = submission_submit(submission=draft, user=focal_point)
    queued_at = time.monotonic()
    version = submitted.submitted_version
    wait_for(lambda: "fault: rendering started" in slow.read_text(), timeout=30)
    workers.kill(0)
    killed_at = time.monotonic()

    # Its message stays unacknowledged in Redis for the visibility timeout (an hour): the
    # PDF sweeper, run by the new worker's beat, queues the version again once the lease expired.
    workers.start("rescuer", beat=True, **pdf_settings)
    stored = wait_for(
        lambda: Submission.objects.filter(pk=draft.pk, pdf_version=version).first(), timeout=50
    )
    stored_at = time.monotonic()
    print(
        f"PDF stored {stored_at - killed_at:.1f} s after its worker was killed,"
        f" {stored_at - queued_at:.1f} s after it was queued (lease {PDF_LEASE_SECONDS} s,"
        f" sweep every {PDF_SWEEP_SECONDS} s)"
    )
    # Never before the lease expired (a live render is not doubled), then at the next sweep
    # or so (plus the render itself, a few seconds).
    assert stored_at - queued_at >= PDF_LEASE_SECONDS
    assert stored_at - queued_at < PDF_LEASE_SECONDS + PDF_SWEEP_SECONDS + 30

    pdfs = sorted((tmp_path / "media" / "submissions" / "pdf").iterdir())
    assert [path.name for path in pdfs] == [Path(stored.pdf.name).name]  # no orphan
    assert hashlib.sha256(pdfs[0].read_bytes()).hexdigest() == stored.pdf_sha256
    rendered = stored.events.filter(kind=SubmissionEvent.Kind.PDF_RENDERED, version=version)
    assert rendered.count() == 1
