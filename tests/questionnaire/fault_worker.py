"""A Celery worker for the fault tests (tests/questionnaire/test_faults.py).

Run as `python -m tests.questionnaire.fault_worker worker ...`. It is the
project's worker with two test-only changes read from the environment:
FAULT_EXPORT_DELAY slows the JSON export by that many seconds per submission,
so that a test can kill the worker mid-export; FAULT_PDF_DELAY makes the
submission PDF's rendering take that many seconds more (printing "fault: rendering
started" first), so that a test can kill it mid-render; Redis's unacknowledged messages
are looked at every second (kombu: every ~100 s), so that a redelivery after a
short CELERY_VISIBILITY_TIMEOUT happens within the test.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msq_portal.settings")
django.setup()

from msq_portal.celery import app  # noqa: E402
from questionnaire.exports.registry import EXPORTERS  # noqa: E402
from questionnaire.pdf import render as pdf_render  # noqa: E402


def _slowed(write, delay: float):
    def slow_write(self, *, submissions, out, progress=None):
        def slow_progress(done: int) -> None:
            time.sleep(delay)
            if progress is not None:
                progress(done)

        return write(self, submissions=submissions, out=out, progress=slow_progress)

    return slow_write


def _slow_render(render, delay: float):
    def slow_render(*args, **kwargs):
        print("fault: rendering started", flush=True)
        time.sleep(delay)
        return render(*args, **kwargs)

    return slow_render


if __name__ == "__main__":
    delay = float(os.environ.get("FAULT_EXPORT_DELAY", "0"))
    if delay:
        EXPORTERS["json"].write = _slowed(EXPORTERS["json"].write, delay)
    render_delay = float(os.environ.get("FAULT_PDF_DELAY", "0"))
    if render_delay:
        pdf_render.submission_pdf = _slow_render(pdf_render.submission_pdf, render_delay)
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    app.worker_main(["worker", *sys.argv[1:]])
