"""On a machine without Pango the portal still starts; only rendering fails, with a clear reason."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# Makes `import weasyprint` fail the way it does when libpango is not installed.
SCRIPT = """
import importlib.abc, json, sys

class NoPango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return None

sys.meta_path.insert(0, NoPango())
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
call_command("check")
from questionnaire.pdf.render import html_to_pdf
try:
    html_to_pdf("<p>x</p>")
except RuntimeError as error:
    message = str(error)
response = Client().get(reverse("login"), HTTP_HOST="localhost")
print(json.dumps({"login": response.status_code, "message": message}))
"""


def test_portal_starts_without_pango_and_says_why_pdfs_fail(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "msq_portal.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["login"] == 200
    assert "install Pango" in result["message"]
