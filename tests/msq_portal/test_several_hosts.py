"""Two web hosts and two worker hosts that share only PostgreSQL, Redis and the bucket.

Each "host" is a separate process (two gunicorn, two Celery workers) with its own
working directory, temporary directory and MEDIA_ROOT. The country's focal point
signs in on web A through the real form, submits there; a worker renders the PDF
into the S3 bucket (moto's server over HTTP); the same session downloads it from
web B. A reviewer's API calls on web A count against the limit felt on web B.

The hosts get a Redis server of their own (started here on a free port): the
suite's session-wide worker listens on the configured broker with local files,
and would otherwise take the rendering away from these hosts.
PostgreSQL and a broker only: skipped on the embedded default (SQLite, tasks
in-process), the condition under which `celery_worker_process` starts no worker.
"""

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from pypdf import PdfReader

from accounts.models import User
from api.services import api_token_create
from questionnaire.models import Submission
from tests import factories
from tests.conftest import (
    PROJECT_ROOT,
    _database_url_for_worker,
    _free_port,
    celery_worker_command,
    process_stop,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "two-hosts-share-one-session"
API_RATE_LIMIT = 2
HEALTHZ_TOKEN = "two-hosts-health-details"
RENDERED = re.compile(r"task_render_submission_pdf\[[^]]+\] succeeded")


@dataclass
class Host:
    name: str
    process: subprocess.Popen
    root: Path
    log: Path
    url: str = ""

    @property
    def media(self) -> Path:
        return self.root / "media"


@pytest.fixture(scope="module")
def real_engines():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("several hosts need PostgreSQL and a broker (DATABASE_URL, CELERY_BROKER_URL)")


@pytest.fixture(scope="module")
def hosts_redis(real_engines, tmp_path_factory):
    """A Redis server of the hosts' own, on a free port, removed afterwards."""
    import redis

    port = _free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=1)

    def answers():
        try:
            return client.ping()
        except redis.RedisError:
            return False

    try:
        wait_for(answers, timeout=15)
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        process_stop(process)


@pytest.fixture(scope="module")
def bucket(s3_endpoint):
    """A new bucket on the S3 server: its client, its name and the STORAGE_URL naming it."""
    name = f"msq-hosts-{uuid.uuid4().hex[:8]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="secret",
    )
    client.create_bucket(Bucket=name)
    url = f"s3://test:secret@{name}?endpoint_url={s3_endpoint}&region=us-east-1"
    return client, name, url


def _host_env(root: Path, *, redis_url: str, bucket_url: str) -> dict[str, str]:
    """What a host is told: the shared engines, and its own directories for everything else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "CACHE_", "REDIS_", "AWS_", "MEDIA_"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "msq_portal.settings",
        # Development mode (plain HTTP, so that the client sends its session cookie back),
        # without DEBUG's error pages and query log.
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(root / "tmp"),
        "MEDIA_ROOT": str(root / "media"),
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": f"{redis_url}/0",
        "CACHE_URL": f"{redis_url}/1",
        "STORAGE_URL": bucket_url,
        "MSQ_API_RATE_LIMIT": str(API_RATE_LIMIT),
        "LOG_LEVEL": "INFO",
        # /healthz says which engine answers only to a caller with the token.
        "HEALTHZ_TOKEN": HEALTHZ_TOKEN,
    }


@pytest.fixture(scope="module")
def hosts(django_db_setup, hosts_redis, bucket, tmp_path_factory):
    """web A, web B (gunicorn, one worker each) and worker A, worker B (Celery, concurrency 1),
    on the test database (`django_db_setup`: its name is known from here on)."""
    tmp_path = tmp_path_factory.mktemp("hosts")
    bin_dir = Path(sys.executable).parent
    commands = {
        "web-a": "web",
        "web-b": "web",
        "worker-a": "worker",
        "worker-b": "worker",
    }
    started: dict[str, Host] = {}
    with ExitStack() as cleanup:
        for name, kind in commands.items():
            root = tmp_path / name
            for directory in ("tmp", "media"):
                (root / directory).mkdir(parents=True)
            if kind == "web":
                port = _free_port()
                command = [
                    str(bin_dir / "gunicorn"),
                    "msq_portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--timeout",
                    "60",
                    "--worker-tmp-dir",
                    str(root / "tmp"),
                ]
            else:
                command = [*celery_worker_command(concurrency=1), f"--hostname={name}@%h"]
            log = root / "output.log"
            with log.open("w") as output:
                process = subprocess.Popen(
                    command,
                    cwd=root,
                    env=_host_env(root, redis_url=hosts_redis, bucket_url=bucket[2]),
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            cleanup.callback(process_stop, process)
            started[name] = Host(
                name=name,
                process=process,
                root=root,
                log=log,
                url=f"http://127.0.0.1:{port}" if kind == "web" else "",
            )
        # Run first at the end: all four are asked to stop at once, then waited for one by one.
        cleanup.callback(lambda: [host.process.terminate() for host in started.values()])
        for host in started.values():
            wait_for(lambda host=host: _ready(host), timeout=90)
        yield started
        # Kept for a failed run: test-output/several-hosts/<host>.log.
        logs = PROJECT_ROOT / "test-output" / "several-hosts"
        logs.mkdir(parents=True, exist_ok=True)
        for host in started.values():
            shutil.copy(host.log, logs / f"{host.name}.log")


def _ready(host: Host) -> bool:
    if host.process.poll() is not None:
        pytest.fail(f"{host.name} stopped: {host.log.read_text()[-3000:]}")
    if not host.url:
        return "ready." in host.log.read_text()
    try:
        return httpx.get(
            f"{host.url}/healthz",
            headers={"Authorization": f"Bearer {HEALTHZ_TOKEN}"},
            timeout=2,
        ).json() == {
            "status": "ok",
            "database": "ok",
            "broker": "ok",
        }
    except httpx.HTTPError:
        return False


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _sign_in(browser: httpx.Client, web: Host, user: User) -> None:
    """The real sign-in form, as a browser posts it (CSRF token from the page)."""
    form = browser.get(f"{web.url}/accounts/login/")
    response = browser.post(
        f"{web.url}/accounts/login/",
        data={"username": user.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(form)},
    )
    assert response.status_code == 302, response.text[-2000:]


@pytest.fixture
def focal_point_with_password(focal_point) -> User:
    # The hosts hash with the production hasher, not the suite's fast MD5 one.
    hasher = PBKDF2PasswordHasher()
    focal_point.password = hasher.encode(PASSWORD, hasher.salt())
    focal_point.save(update_fields=["password"])
    return focal_point


@pytest.mark.pdf
def test_pdf_rendered_by_a_worker_is_downloaded_through_the_other_web_host(
    hosts, bucket, edition, country_a, focal_point_with_password
):
    web_a, web_b = hosts["web-a"], hosts["web-b"]
    draft = factories.submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        submitted_by=focal_point_with_password,
    )
    with httpx.Client(timeout=30) as browser:
        _sign_in(browser, web_a, focal_point_with_password)
        # The session made on web A is valid on web B: it is in the database, not in A.
        overview = browser.get(f"{web_b.url}/review/")
        assert overview.status_code == 200
        assert country_a.name in overview.text

        submitted = browser.post(
            f"{web_a.url}/review/submit",
            # The authorization to publish is chosen with the submit, in one POST.
            data={
                "base_version": draft.version,
                "consent": Submission.Consent.GRANTED,
                "csrfmiddlewaretoken": _csrf(overview),
            },
        )
        assert (submitted.status_code, submitted.headers["location"]) == (302, "/submission/")

        def rendered():
            submission = Submission.objects.get(pk=draft.pk)
            return submission if submission.pdf_sha256 else None

        submission = wait_for(rendered, timeout=90)
        download = browser.get(f"{web_b.url}/submissions/{submission.pk}/pdf")

    assert download.status_code == 200, download.text[-2000:]
    assert download.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(download.content).hexdigest() == submission.pdf_sha256
    assert country_a.name in PdfReader(io.BytesIO(download.content)).pages[0].extract_text()
    # One worker rendered it, and no host wrote a file of its own: the PDF is in the bucket.
    renderings = {
        name: len(RENDERED.findall(hosts[name].log.read_text()))
        for name in ("worker-a", "worker-b")
    }
    assert sorted(renderings.values()) == [0, 1], renderings
    client, name, _url = bucket
    stored = {item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])}
    assert submission.pdf.name in stored
    assert [path for host in hosts.values() for path in host.media.rglob("*")] == []


def test_rate_limit_reached_on_one_web_host_is_felt_on_the_other(hosts, reviewer):
    _token, secret = api_token_create(user=reviewer, name="two hosts")
    web_a, web_b = hosts["web-a"], hosts["web-b"]
    with httpx.Client(headers={"Authorization": f"Bearer {secret}"}, timeout=30) as program:
        for _call in range(API_RATE_LIMIT):
            assert program.get(f"{web_a.url}/api/v1/editions").status_code == 200
        refused = program.get(f"{web_b.url}/api/v1/editions")
    assert refused.status_code == 429
    assert "Too many calls with this token" in refused.text
