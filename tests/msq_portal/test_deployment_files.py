"""docker-compose.yml and the Dockerfile, read against the settings (no Docker engine runs here;
.ci/smoke-stack starts the same gunicorn and worker commands for real)."""

import re
from pathlib import Path

import yaml

from msq_portal.storage import s3_options

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = "\n".join(
    path.read_text() for path in sorted((PROJECT_ROOT / "msq_portal" / "settings").glob("*.py"))
)
STORAGE_SOURCE = (PROJECT_ROOT / "msq_portal" / "storage.py").read_text()
COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()
APP_SERVICES = ("migrate", "web", "worker", "beat")


def settings_variables() -> set[str]:
    return set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', SETTINGS_SOURCE)) | set(
        re.findall(r'env\.\w+\("([A-Z_]+)"', SETTINGS_SOURCE)
    )


# Read by boto3 itself when django-storages opens the bucket (msq_portal/storage.py says so).
BOTO3_CREDENTIALS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def storage_variables() -> set[str]:
    """What msq_portal/storage.py reads from the environment, and the credentials it names."""
    read = set(re.findall(r'environ(?:\.get\(|\[)"([A-Z_0-9]+)"', STORAGE_SOURCE))
    return read | {name for name in BOTO3_CREDENTIALS if name in STORAGE_SOURCE}


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} with `variables` as the .env."""

    def one(match: re.Match) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in variables:
            return variables[name]
        assert operator != ":?", f"{name} is required: {rest}"
        return rest

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", one, value)


def test_compose_starts_postgres_redis_web_worker_with_health_checks():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "pgdata" in COMPOSE["volumes"]


def test_compose_app_variables_are_the_ones_settings_read():
    known = settings_variables() | storage_variables()
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY"} <= known
    for name in APP_SERVICES:
        environment = COMPOSE["services"][name]["environment"]
        unknown = set(environment) - known
        assert not unknown, f"{name} sets variables msq_portal/settings/ never reads: {unknown}"
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
    # Read by docker-compose itself (the database's and the bucket's set-up), not by settings.
    compose_only = {
        "POSTGRES_PASSWORD",
        "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD",
        "STORAGE_ACCESS_KEY",
        "STORAGE_SECRET_KEY",
    }
    unknown = set(example) - settings_variables() - compose_only
    assert not unknown, f".env.example sets variables nothing reads: {unknown}"
    # Secrets are left empty, never a value that could be deployed as it is.
    assert all(example[name] == "" for name in required), "secrets in .env.example"
    assert "*" not in example["DJANGO_ALLOWED_HOSTS"]


def test_env_example_is_not_ignored_but_env_is():
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
    assert ".env.example" not in ignored and "*.example" not in ignored


def test_compose_runs_two_web_and_two_worker_replicas_and_one_beat():
    services = COMPOSE["services"]
    for name in ("web", "worker"):
        assert services[name]["deploy"]["replicas"] == 2, name
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    # Each web replica gets a host port of its own: a fixed one would let only one start.
    (ports,) = services["web"]["ports"]
    first, last = map(int, re.fullmatch(r"(\d+)-(\d+):8000", ports).groups())
    assert last - first + 1 == services["web"]["deploy"]["replicas"]


def test_compose_app_replicas_share_no_volume():
    """Replicas on several hosts share PostgreSQL, Redis and the bucket, never a disk."""
    for name in APP_SERVICES:
        assert not COMPOSE["services"][name].get("volumes"), name


ENV_FILE = {
    "DJANGO_SECRET_KEY": "k" * 50,
    "POSTGRES_PASSWORD": "a-long-database-password",
    "MINIO_ROOT_USER": "root",
    "MINIO_ROOT_PASSWORD": "a-long-root-password",
    "STORAGE_ACCESS_KEY": "msq-portal",
    "STORAGE_SECRET_KEY": "a-long-portal-secret",
}


def test_compose_bucket_settings_name_the_bucket_minio_init_creates():
    services = COMPOSE["services"]
    app = {
        key: interpolate(value, ENV_FILE) for key, value in services["web"]["environment"].items()
    }
    options = s3_options(url=app["STORAGE_URL"], environ=app)
    init = {
        key: interpolate(value, ENV_FILE)
        for key, value in services["minio-init"]["environment"].items()
    }
    assert options["bucket_name"] == init["STORAGE_BUCKET"]
    assert options["endpoint_url"] == "http://minio:9000"
    assert "minio" in services
    # The portal's own key (the one minio-init creates), not MinIO's root key.
    assert (app["AWS_ACCESS_KEY_ID"], app["AWS_SECRET_ACCESS_KEY"]) == (
        init["STORAGE_ACCESS_KEY"],
        init["STORAGE_SECRET_KEY"],
    )
    assert app["AWS_ACCESS_KEY_ID"] != ENV_FILE["MINIO_ROOT_USER"]
    # The bucket exists before the app starts: migrate waits for it, web and worker for migrate.
    assert services["migrate"]["depends_on"]["minio-init"]["condition"] == (
        "service_completed_successfully"
    )
    for name in ("web", "worker"):
        assert "migrate" in services[name]["depends_on"], name


def test_compose_bucket_credentials_are_required_without_defaults():
    raw = {
        **COMPOSE["services"]["web"]["environment"],
        **COMPOSE["services"]["minio"]["environment"],
    }
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD",
    ):
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", raw[name]), f"{name}: {raw[name]}"
        missing = {key: value for key, value in ENV_FILE.items() if key not in raw[name]}
        try:
            interpolate(raw[name], missing)
        except AssertionError as refused:
            assert "in .env" in str(refused)
        else:
            raise AssertionError(f"{name} starts without its .env value")
