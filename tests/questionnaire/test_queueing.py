"""The outbox: queued side effects survive a broker that is down, and are sent once it is back."""

import html
import re
from datetime import timedelta

import pytest
from celery.exceptions import NotRegistered
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from msq_portal.celery import app as celery_app
from questionnaire.exports.jobs import export_job_create
from questionnaire.models import ExportJob, PendingTask, Submission
from questionnaire.queueing import pending_tasks_send, task_queue, tasks_queue
from questionnaire.review.services import submission_accept, submission_return
from questionnaire.tasks import (
    task_email_review,
    task_email_submitted,
    task_render_submission_pdf,
    task_run_export,
)
from tests.conftest import PROJECT_ROOT
from tests.factories import submission_full

LATER = timedelta(minutes=1)


class Broker:
    """Stands for the broker in task.delay: down (raises, as kombu does) or up (records)."""

    def __init__(self, monkeypatch, *tasks, up: bool = False):
        self.up = up
        self.sent: list[tuple[str, dict]] = []
        for task in tasks:
            monkeypatch.setattr(task, "delay", self._delay(task))

    def _delay(self, task):
        def delay(**kwargs):
            if not self.up:
                raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            self.sent.append((task.name, kwargs))

        return delay


@pytest.fixture
def submitted(edition, country_a, focal_point):
    return submission_full(edition=edition, country=country_a)


def test_task_queue_sends_on_commit_and_marks_sent(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    broker = Broker(monkeypatch, task_run_export, up=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pending = task_queue(task_run_export.name, job_id=7)
        assert broker.sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert broker.sent == [(task_run_export.name, {"job_id": 7})]
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert pending.attempts == 1


def test_task_queue_rolled_back_leaves_no_row(db, monkeypatch):
    broker = Broker(monkeypatch, task_run_export, up=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        task_queue(task_run_export.name, job_id=7)
        raise RuntimeError("the action failed")
    assert not PendingTask.objects.exists()
    assert broker.sent == []


def test_task_queue_broker_down_keeps_row_for_the_sweeper(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    broker = Broker(monkeypatch, task_run_export)
    with django_capture_on_commit_callbacks(execute=True):
        pending = task_queue(task_run_export.name, job_id=7)

    pending.refresh_from_db()
    assert (pending.sent_at, pending.attempts) == (None, 1)
    assert "Connection refused" in pending.last_error

    # Too recent for the sweeper: its own request may still be sending it.
    assert pending_tasks_send() == 0
    broker.up = True
    assert pending_tasks_send(now=timezone.now() + LATER) == 1
    assert broker.sent == [(task_run_export.name, {"job_id": 7})]
    pending.refresh_from_db()
    assert pending.sent_at is not None and pending.last_error == ""
    # Sent once: the next sweep has nothing to do.
    assert pending_tasks_send(now=timezone.now() + LATER) == 0


def test_tasks_queue_broker_down_tries_once_for_all(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    Broker(monkeypatch, task_render_submission_pdf, task_email_submitted)
    ids = {"submission_id": 1, "version": 2}
    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks_queue(
            (task_render_submission_pdf.name, ids), (task_email_submitted.name, ids)
        )

    # One wait for the broker per request, not one per task; both left for the sweeper.
    assert [PendingTask.objects.get(pk=row.pk).attempts for row in queued] == [1, 0]
    assert PendingTask.objects.filter(sent_at__isnull=True).count() == 2


def test_pending_tasks_send_stops_at_first_refusal(db, monkeypatch):
    Broker(monkeypatch, task_run_export)
    PendingTask.objects.bulk_create(
        PendingTask(task=task_run_export.name, kwargs={"job_id": n}) for n in range(3)
    )

    assert pending_tasks_send(now=timezone.now() + LATER) == 0
    # The broker is down: one attempt, not one timeout per row.
    assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_pending_tasks_send_deletes_rows_sent_long_ago(db):
    old = PendingTask.objects.create(task=task_run_export.name, sent_at=timezone.now())
    recent = PendingTask.objects.create(task=task_run_export.name, sent_at=timezone.now())
    PendingTask.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=8))

    pending_tasks_send()

    assert list(PendingTask.objects.values_list("pk", flat=True)) == [recent.pk]


def test_export_requested_with_broker_down_is_queued_and_runs_once_back(
    client, reviewer, edition, country_a, monkeypatch, django_capture_on_commit_callbacks
):
    submission_full(edition=edition, country=country_a)
    client.force_login(reviewer)
    broker = Broker(monkeypatch, task_run_export)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("questionnaire:staff_exports"),
            {"edition": edition.pk, "exporter": "json", "statuses": ["submitted"]},
        )

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ExportJob.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "the worker system is not answering" in page
    status = client.get(reverse("questionnaire:staff_export_status", args=[job.pk])).json()
    assert "will start by itself" in status["notice"]

    broker.up = True
    assert pending_tasks_send(now=timezone.now() + LATER) == 1
    assert broker.sent == [(task_run_export.name, {"job_id": job.pk})]
    status = client.get(reverse("questionnaire:staff_export_status", args=[job.pk])).json()
    assert status["notice"] == ""


def test_export_job_create_queues_through_the_outbox(db, edition, reviewer):
    job = export_job_create(edition=edition, exporter="json", statuses=[], user=reviewer)
    assert PendingTask.objects.get().kwargs == {"job_id": job.pk}


def test_review_decision_with_broker_down_is_kept_and_mailed_later(
    submitted, reviewer, focal_point, monkeypatch, django_capture_on_commit_callbacks
):
    broker = Broker(monkeypatch, task_email_review)
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(submission=submitted, reviewer=reviewer, comments={"": "Add URLs."})

    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.RETURNED
    assert mail.outbox == []
    # The broker is back: the sweeper (in a worker) runs the e-mail task.
    monkeypatch.setattr(
        task_email_review, "delay", lambda **kwargs: task_email_review.apply(kwargs=kwargs)
    )
    assert pending_tasks_send(now=timezone.now() + LATER) == 1
    assert [message.to for message in mail.outbox] == [[focal_point.email]]
    assert broker.sent == []


def test_accept_queues_its_email_through_the_outbox(submitted, reviewer):
    submission_accept(submission=submitted, reviewer=reviewer)
    assert PendingTask.objects.get().kwargs == {
        "submission_id": submitted.pk,
        "kind": "accepted",
    }


def _submit_through_the_page(client, submission) -> str:
    """Submit as the focal point would; returns the text of the page it leads to."""
    # The authorization is chosen with the submit, in the same form.
    response = client.post(
        "/review/submit", {"consent": "granted", "base_version": submission.version}
    )
    assert response.status_code == 302
    return html.unescape(client.get(response["Location"]).content.decode())


# Transactional: the submit commits for real, so its on-commit sends run before the page answers.
@pytest.mark.django_db(transaction=True)
def test_submit_with_broker_up_says_pdf_follows_shortly(
    client, edition, country_a, focal_point, monkeypatch
):
    draft = submission_full(edition=edition, country=country_a, status="draft")
    client.force_login(focal_point)
    broker = Broker(monkeypatch, task_render_submission_pdf, task_email_submitted, up=True)

    text = _submit_through_the_page(client, draft)

    assert "Submitted. The PDF will be prepared shortly." in text
    assert "background system is back" not in text
    before = draft.version
    draft.refresh_from_db()
    # The page's one action records the authorization (one version), then submits (the next).
    assert draft.submitted_version == before + 2
    ids = {"submission_id": draft.pk, "version": draft.submitted_version}
    assert sorted(broker.sent) == sorted(
        [(task_email_submitted.name, ids), (task_render_submission_pdf.name, ids)]
    )
    assert not PendingTask.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_submit_with_broker_down_is_kept_and_says_mail_and_pdf_follow(
    client, edition, country_a, focal_point, monkeypatch
):
    draft = submission_full(edition=edition, country=country_a, status="draft")
    client.force_login(focal_point)
    broker = Broker(monkeypatch, task_render_submission_pdf, task_email_submitted)

    text = _submit_through_the_page(client, draft)

    draft.refresh_from_db()
    assert draft.status == Submission.Status.SUBMITTED
    assert "Submitted. The PDF will be prepared shortly." in text
    assert (
        "The e-mail confirmation and the PDF will follow when the portal's background system"
        " is back; your answers are safely submitted." in text
    )
    ids = {"submission_id": draft.pk, "version": draft.submitted_version}
    assert sorted(
        (row.task, row.kwargs) for row in PendingTask.objects.filter(sent_at__isnull=True)
    ) == sorted([(task_email_submitted.name, ids), (task_render_submission_pdf.name, ids)])
    assert mail.outbox == []

    # The broker is back: the sweeper sends both; the e-mail task (run here) mails once.
    broker.up = True
    monkeypatch.setattr(
        task_email_submitted, "delay", lambda **kwargs: task_email_submitted.apply(kwargs=kwargs)
    )
    assert pending_tasks_send(now=timezone.now() + LATER) == 2
    assert broker.sent == [(task_render_submission_pdf.name, ids)]
    assert [message.to for message in mail.outbox] == [[focal_point.email]]
    assert "Uzbekistan" in mail.outbox[0].subject


def test_task_queue_unknown_task_name_fails_at_once_and_writes_nothing(db):
    with pytest.raises(NotRegistered):
        task_queue("questionnaire.tasks.task_that_does_not_exist", job_id=7)
    assert not PendingTask.objects.exists()


def test_task_names_the_services_queue_are_registered_tasks():
    # Services name the tasks they queue (they never import the tasks module): each
    # name written in the source must be a task a worker knows.
    pattern = re.compile(r"[\"']((?:questionnaire|linkcheck)\.tasks\.\w+)[\"']")
    named = {
        name
        for package in ("questionnaire", "linkcheck", "accounts", "api", "msq_portal")
        for path in (PROJECT_ROOT / package).rglob("*.py")
        for name in pattern.findall(path.read_text())
    }
    assert "questionnaire.tasks.task_run_export" in named
    assert sorted(name for name in named if name not in celery_app.tasks) == []
