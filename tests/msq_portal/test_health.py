import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def probe(env: dict) -> dict:
    """GET /healthz in a fresh process configured by `env` (as a deployment would be)."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        env={"DJANGO_SETTINGS_MODULE": "msq_portal.settings", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_healthz_answers_ok_without_sign_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_in_process_broker_on_embedded_default(tmp_path):
    result = probe({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result == {"status": 200, "body": {"database": "ok", "broker": "in-process"}}


def test_healthz_is_503_when_database_is_unreachable():
    # Port 9 on loopback has no PostgreSQL: the connection is refused at once.
    result = probe(
        {
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/msq",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        }
    )
    assert result == {"status": 503, "body": {"database": "unreachable", "broker": "unreachable"}}
