import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.test import Client
import os
headers = {"Authorization": os.environ["PROBE_AUTH"]} if os.environ.get("PROBE_AUTH") else {}
response = Client().get("/healthz", HTTP_HOST="localhost", headers=headers)
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


TOKEN = "probe-token-4f7c2a"


def test_healthz_answers_only_liveness_without_sign_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_details_with_the_right_token(client, db, settings):
    settings.HEALTHZ_TOKEN = TOKEN
    response = client.get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] in {"ok", "in-process"}


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", f"Basic {TOKEN}", TOKEN, "Bearer ", f"Bearer {TOKEN}x"]
)
def test_healthz_no_details_with_a_wrong_token(client, db, settings, header):
    settings.HEALTHZ_TOKEN = TOKEN
    response = client.get("/healthz", headers={"Authorization": header})
    assert response.json() == {"status": "ok"}


def test_healthz_no_details_for_an_empty_token_setting(client, db, settings):
    settings.HEALTHZ_TOKEN = ""
    response = client.get("/healthz", headers={"Authorization": "Bearer "})
    assert response.json() == {"status": "ok"}


def test_healthz_details_for_staff_not_for_officials(client, db, reviewer, focal_point):
    client.force_login(focal_point)
    assert client.get("/healthz").json() == {"status": "ok"}
    client.force_login(reviewer)
    assert client.get("/healthz").json()["database"] == "ok"


def test_healthz_reports_in_process_broker_on_embedded_default(tmp_path):
    result = probe(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "HEALTHZ_TOKEN": TOKEN,
            "PROBE_AUTH": f"Bearer {TOKEN}",
        }
    )
    assert result == {
        "status": 200,
        "body": {"status": "ok", "database": "ok", "broker": "in-process"},
    }


def test_healthz_is_503_when_database_is_unreachable():
    # Port 9 on loopback has no PostgreSQL: the connection is refused at once.
    unreachable = {
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/msq",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "HEALTHZ_TOKEN": TOKEN,
    }
    assert probe(unreachable) == {"status": 503, "body": {"status": "unavailable"}}
    assert probe({**unreachable, "PROBE_AUTH": f"Bearer {TOKEN}"}) == {
        "status": 503,
        "body": {"status": "unavailable", "database": "unreachable", "broker": "unreachable"},
    }
