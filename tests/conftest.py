"""Fixtures shared by the whole suite: countries, the MSQ 2020, people, and a real Celery worker."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from accounts.countries import countries_load
from accounts.models import Country, User
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.models import Edition
from tests import factories

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the suite writes (PDFs, exports) go to a temporary directory, never ./media.

    Session-wide, so that the real Celery worker started below shares it."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session", autouse=True)
def _translations_compiled():
    """The interface catalogues are compiled (make test does it first; this covers a bare
    pytest run on a fresh checkout). Django's cached catalogues are dropped if any .mo
    was written, so that they are read again."""
    from django.utils.translation import trans_real

    from accounts.management.commands.compile_translations import translations_compile

    if translations_compile():
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = trans_real.Local()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file rather than memory.

    An in-memory test database is one connection, shared by the browser tests'
    live server thread and the test's own thread: a query from the test while
    the server is answering could fail with "table is locked". A file gives each
    thread its own connection, with SQLite's locking and busy timeout.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_database = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_database)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so that one test's rate-limit counters
    (msq_portal.ratelimit) never limit the next. On Redis this is the cache's own
    database (CACHE_REDIS_DB or CACHE_URL), never the broker's."""
    from django.core.cache import cache

    from questionnaire.structure import edition_structures_forget

    cache.clear()
    # A rolled-back test may leave rows changed under an unchanged Edition.loaded_at.
    edition_structures_forget()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English. Django's LocaleMiddleware activates a request's
    language in the thread that serves it and leaves it there: after the test client
    serves an Arabic-speaking official, the test's own thread would still be in Arabic
    and lazy strings it compares would be too."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    # The one place the suite's password hasher is chosen (no test module sets its own).
    # Production hashes passwords with PBKDF2 at a million rounds, about a
    # second per user on this machine; the suite makes hundreds of users.
    # (tests/msq_portal/test_several_hosts.py hashes with PBKDF2 on purpose.)
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    # Saves and submits queue no link check unless a test asks (tests/linkcheck/).
    settings.LINKCHECK_AUTO = False


@pytest.fixture
def countries(db) -> None:
    """The 193 Member States. The data migration loads them, but a transactional test's
    flush empties the table, so they are loaded again when missing."""
    if not Country.objects.exists():
        countries_load(country_model=Country)


@pytest.fixture
def edition(countries) -> Edition:
    """The MSQ 2020 as loaded from its data file (idempotent, so cheap on a loaded database),
    open for officials (a loaded edition is planned until opened) unless another is open."""
    edition = edition_load(path=edition_path("msq-2020")).edition
    if (
        edition.state == Edition.State.PLANNED
        and not Edition.objects.filter(state=Edition.State.OPEN).exists()
    ):
        Edition.objects.filter(pk=edition.pk).update(state=Edition.State.OPEN)
        edition.state = Edition.State.OPEN
    return edition


@pytest.fixture
def country_a(countries) -> Country:
    return Country.objects.get(iso3="UZB")


@pytest.fixture
def country_b(countries) -> Country:
    return Country.objects.get(iso3="FRA")


@pytest.fixture
def focal_point(country_a) -> User:
    return factories.OfficialFactory(country=country_a, role=User.Role.FOCAL_POINT)


@pytest.fixture
def contributor(country_a) -> User:
    return factories.OfficialFactory(country=country_a, role=User.Role.CONTRIBUTOR)


@pytest.fixture
def outsider(country_b) -> User:
    """A focal point of another country: must see nothing of country A."""
    return factories.OfficialFactory(country=country_b, role=User.Role.FOCAL_POINT)


@pytest.fixture
def reviewer(db) -> User:
    return factories.ReviewerFactory()


def wait_for(condition: Callable[[], object], *, timeout: float = 60, interval: float = 0.2):
    """Poll `condition` until it returns something truthy; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"waited {timeout} s for {getattr(condition, '__name__', 'a condition')}")


def _database_url_for_worker() -> str:
    """The test database as a URL for a worker process: PostgreSQL's, or SQLite's file."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER'] or ''}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def celery_worker_command(*, concurrency: int) -> list[str]:
    """`celery worker` on the tasks' queue, without the chatter between workers."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "msq_portal",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
    ]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the configured broker, reading the test database.

    With no broker configured (the embedded default) tasks run in-process and
    this yields None: the same tests then prove the eager path. Tests that
    wait on the worker must use `transactional_db` so it sees committed rows.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("A real Celery worker needs DATABASE_URL to name PostgreSQL.")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # The link checker's tests check links against their own servers on 127.0.0.1.
        "LINKCHECK_ALLOWED_TEST_HOSTS": "127.0.0.1",
        "LINKCHECK_HOST_INTERVAL_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = PROJECT_ROOT / "test-output" / "celery-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(
        [*celery_worker_command(concurrency=2), "--purge"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: "ready." in log_path.read_text(), timeout=60)
        yield process
    finally:
        process_stop(process)
        log.close()


def process_stop(process: subprocess.Popen) -> None:
    """Stop a process this suite started: asked first, killed after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3-protocol server over HTTP: MSQ_TEST_S3_ENDPOINT when set (.ci/run starts
    moto_server on the PostgreSQL leg), else a moto_server process started here on a
    free port, so that the storage tests run against real HTTP on both legs."""
    import urllib.request

    url = os.environ.get("MSQ_TEST_S3_ENDPOINT")
    if url:
        yield url
        return
    url = f"http://127.0.0.1:{_free_port()}"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "moto_server"),
            "-H",
            "127.0.0.1",
            "-p",
            url.rsplit(":", 1)[1],
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers():
        try:
            return urllib.request.urlopen(url, timeout=1).status == 200  # noqa: S310 - http://127.0.0.1
        except OSError:
            return False

    try:
        wait_for(answers, timeout=30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def emails_in_process(monkeypatch):
    """Run the e-mail tasks (review decisions, submit confirmations) in this process, whatever
    the broker, to read mail.outbox."""
    from questionnaire.tasks import (
        task_email_new_comments,
        task_email_review,
        task_email_submitted,
        task_email_thread_reply,
    )

    for task in (
        task_email_review,
        task_email_submitted,
        task_email_thread_reply,
        task_email_new_comments,
    ):
        monkeypatch.setattr(task, "delay", lambda _task=task, **kwargs: _task.apply(kwargs=kwargs))
