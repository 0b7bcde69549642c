"""docker-compose.yml and the Dockerfile, read against the settings (no Docker engine runs here;
.ci/smoke-stack starts the same gunicorn and worker commands for real)."""

import re
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = (PROJECT_ROOT / "msq_portal" / "settings.py").read_text()
COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()
APP_SERVICES = ("migrate", "web", "worker", "beat")


def settings_variables() -> set[str]:
    return set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', SETTINGS_SOURCE)) | set(
        re.findall(r'env\.\w+\("([A-Z_]+)"', SETTINGS_SOURCE)
    )


def test_compose_starts_postgres_redis_web_worker_with_health_checks():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "pgdata" in COMPOSE["volumes"]
    assert "media" in COMPOSE["volumes"]


def test_compose_app_variables_are_the_ones_settings_read():
    known = settings_variables()
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY"} <= known
    for name in APP_SERVICES:
        environment = COMPOSE["services"][name]["environment"]
        unknown = set(environment) - known
        assert not unknown, f"{name} sets variables settings.py never reads: {unknown}"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")


def test_compose_commands_name_the_project_modules():
    web = " ".join(COMPOSE["services"]["web"]["command"])
    worker = " ".join(COMPOSE["services"]["worker"]["command"])
    assert "gunicorn msq_portal.wsgi:application" in web
    assert (PROJECT_ROOT / "msq_portal" / "wsgi.py").exists()
    assert "celery -A msq_portal worker" in worker
    # The worker listens on the queue the tasks are sent to.
    assert re.search(r'CELERY_TASK_DEFAULT_QUEUE = "(\w+)"', SETTINGS_SOURCE).group(1) in worker


def test_dockerfile_installs_weasyprint_libraries_and_noto_fonts():
    for package in ("libpango-1.0-0", "fonts-noto-core", "fonts-noto-cjk"):
        assert package in DOCKERFILE
    assert "requirements/base.txt" in DOCKERFILE


COMPOSE_TEXT = (PROJECT_ROOT / "docker-compose.yml").read_text()
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"


def _env_example() -> dict[str, str]:
    lines = ENV_EXAMPLE.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def test_compose_has_no_default_for_secrets():
    """The database password defaulted to "msq": anyone reading the repository knew it."""
    for name in ("POSTGRES_PASSWORD", "DJANGO_SECRET_KEY"):
        uses = re.findall(r"\$\{" + name + r"(:?[-?])?([^}]*)\}", COMPOSE_TEXT)
        assert uses, name
        for operator, _rest in uses:
            assert operator == ":?", f"{name} must be required (${{{name}:?...}}), not defaulted"
    postgres = COMPOSE["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert postgres.startswith("${POSTGRES_PASSWORD:?")


def test_env_example_lists_what_compose_requires_and_settings_read():
    example = _env_example()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE_TEXT))
    assert {"POSTGRES_PASSWORD", "DJANGO_SECRET_KEY"} <= required <= set(example)
    compose_only = {"POSTGRES_PASSWORD"}
    unknown = set(example) - settings_variables() - compose_only
    assert not unknown, f".env.example sets variables nothing reads: {unknown}"
    # Secrets are left empty, never a value that could be deployed as it is.
    assert example["DJANGO_SECRET_KEY"] == "" and example["POSTGRES_PASSWORD"] == ""
    assert "*" not in example["DJANGO_ALLOWED_HOSTS"]


def test_env_example_is_not_ignored_but_env_is():
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
    assert ".env.example" not in ignored and "*.example" not in ignored
