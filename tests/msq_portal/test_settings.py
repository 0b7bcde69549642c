"""Settings resolve from the environment the way README.md says."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SHOW = """
import django, json
django.setup()
import pytest
from django.conf import settings
from msq_portal.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": app.conf.broker_url,
    "debug": settings.DEBUG,
    "email": settings.EMAIL_BACKEND,
    "languages": [code for code, _name in settings.LANGUAGES],
}))
"""


def resolved(env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=PROJECT_ROOT,
        env={"DJANGO_SETTINGS_MODULE": "msq_portal.settings", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_manage(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_with_no_environment_are_sqlite_and_eager():
    result = resolved({})
    assert result["engine"] == "django.db.backends.sqlite3"
    assert result["name"].endswith("db.sqlite3")
    assert result["eager"] is True
    assert result["broker"] == "memory://"
    assert result["email"] == "django.core.mail.backends.console.EmailBackend"


def test_settings_with_urls_are_postgresql_and_redis():
    result = resolved(
        {
            "DATABASE_URL": "postgres://msq:secret@db.internal:5432/msq",
            "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        }
    )
    assert result["engine"] == "django.db.backends.postgresql"
    assert result["name"] == "msq"
    assert result["eager"] is False
    assert result["broker"] == "redis://redis.internal:6379/0"


def test_settings_accept_redis_url_as_broker():
    result = resolved({"REDIS_URL": "redis://cache.internal:6379/2"})
    assert result["eager"] is False
    assert result["broker"] == "redis://cache.internal:6379/2"


def test_settings_production_passes_deploy_checks():
    completed = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "k3$-a-real-looking-secret-key-that-is-long-enough-0123456789",
            "DJANGO_ALLOWED_HOSTS": "msq.example.org",
        },
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_settings_production_refuses_to_start_without_secret_key():
    completed = run_manage(
        ["check"], {"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "msq.example.org"}
    )
    assert completed.returncode != 0
    assert "DJANGO_SECRET_KEY" in completed.stderr


def test_celery_settings_do_not_lose_tasks():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    # Redis re-delivers an unacknowledged task after the visibility timeout: a
    # task still running then would run twice.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility


def test_celery_app_reads_the_django_settings():
    from msq_portal.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options == settings.CELERY_BROKER_TRANSPORT_OPTIONS


def test_settings_offer_the_six_un_languages_by_default():
    assert resolved({})["languages"] == ["en", "fr", "es", "ru", "ar", "zh-hans"]
    assert resolved({"MSQ_LANGUAGES": "en,fr,ar"})["languages"] == ["en", "fr", "ar"]


def test_settings_refuse_unknown_interface_language():
    completed = run_manage(["check"], {"MSQ_LANGUAGES": "en,klingon"})
    assert completed.returncode != 0
    assert "MSQ_LANGUAGES='en,klingon'" in completed.stderr


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k3$-a-real-looking-secret-key-that-is-long-enough-0123456789",
    "DJANGO_ALLOWED_HOSTS": "msq.example.org",
}


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("django-insecure-development-only-never-in-production", "development key"),
        ("django-insecure-" + "x8#kq2!" * 10, "development key"),
        ("changeme", "placeholder"),
        ("CHANGEME-please-" + "a1b2c3d4" * 6, "placeholder"),
        ("a-random-but-short-key-0123456789", "fewer than 50"),
        ("ab" * 40, "fewer than 5 distinct characters"),
    ],
)
def test_settings_production_refuses_weak_secret_key(key, said):
    completed = run_manage(["check"], {**PRODUCTION, "DJANGO_SECRET_KEY": key})
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert "DJANGO_SECRET_KEY" in completed.stderr and said in completed.stderr
    assert "secrets.token_urlsafe" in completed.stderr
    # The message names the problem, never the key.
    assert key not in completed.stderr


@pytest.mark.parametrize("hosts", ["*", "msq.example.org,*", "", ","])
def test_settings_production_refuses_any_host(hosts):
    completed = run_manage(["check"], {**PRODUCTION, "DJANGO_ALLOWED_HOSTS": hosts})
    assert completed.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must name the portal's host names" in completed.stderr


def test_settings_production_refuses_debug():
    completed = run_manage(["check"], {**PRODUCTION, "DJANGO_DEBUG": "true"})
    assert completed.returncode != 0
    assert "DJANGO_DEBUG is on with DJANGO_ENV=production" in completed.stderr


def test_settings_development_keeps_its_key_and_debug():
    result = resolved({"DJANGO_DEBUG": "true"})
    assert result["debug"] is True


def test_settings_production_refuses_the_link_checker_test_allow_list():
    completed = run_manage(["check"], {**PRODUCTION, "LINKCHECK_ALLOWED_TEST_HOSTS": "127.0.0.1"})
    assert completed.returncode != 0
    assert "LINKCHECK_ALLOWED_TEST_HOSTS" in completed.stderr


def test_templates_compiled_once_per_process_with_the_cached_loader():
    # Django wraps the loaders in cached.Loader when none are listed (TEMPLATES): each
    # template is parsed once per process, not on every page (issue 18).
    from django.template import engines

    loaders = engines["django"].engine.template_loaders

    assert [type(loader).__name__ for loader in loaders] == ["Loader"]
    assert type(loaders[0]).__module__ == "django.template.loaders.cached"
