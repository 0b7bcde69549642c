"""Deadline reminders: who is reminded, once a day, in batches, what the e-mail says."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import Country, User
from questionnaire.models import PendingTask, Reminder, Submission
from questionnaire.review.reminders import (
    SEND_REMINDERS_TASK,
    ReminderError,
    reminders_automatic,
    reminders_request,
    reminders_send,
)
from tests.factories import OfficialFactory, answers_full, submission_full

DEADLINE = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)


@pytest.fixture
def with_deadline(edition):
    edition.deadline = DEADLINE
    edition.save(update_fields=["deadline"])
    return edition


@pytest.fixture
def oceania(with_deadline):
    """Fiji, Samoa and Tonga with one official each; Tonga has submitted; Palau has no one."""
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["FJI", "WSM", "TON", "PLW"])}
    for iso3 in ["FJI", "WSM", "TON"]:
        OfficialFactory(country=countries[iso3], email=f"focal@{iso3.lower()}.example.org")
    submission_full(edition=with_deadline, country=countries["TON"])
    return countries


def _ids(countries, *iso3s):
    return [countries[iso3].pk for iso3 in iso3s]


def _request(edition, countries, *iso3s, reviewer=None, **options):
    return reminders_request(
        edition=edition, country_ids=_ids(countries, *iso3s), requested_by=reviewer, **options
    )


def _send_queued() -> None:
    """What the worker does with the queued batches (the test's transaction never commits)."""
    for task in PendingTask.objects.filter(task=SEND_REMINDERS_TASK).order_by("pk"):
        reminders_send(**task.kwargs)


def test_reminders_request_records_one_row_per_country_with_officials(
    with_deadline, oceania, reviewer
):
    queued = _request(with_deadline, oceania, "FJI", "WSM", "TON", "PLW", reviewer=reviewer)
    _send_queued()

    rows = Reminder.objects.order_by("country__name")
    assert [row.country.iso3 for row in rows] == ["FJI", "WSM"]  # TON submitted, PLW has no one
    assert {row.kind for row in rows} == {Reminder.Kind.MANUAL}
    assert {row.requested_by for row in rows} == {reviewer}
    assert all(row.sent_at is not None for row in rows)
    assert [row.recipients for row in rows] == [
        ["focal@fji.example.org"],
        ["focal@wsm.example.org"],
    ]
    assert [country.iso3 for country in queued.without_officials] == ["PLW"]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "focal@fji.example.org",
        "focal@wsm.example.org",
    ]


@override_settings(MSQ_REMINDER_BATCH=2)
def test_reminders_request_queues_batches(with_deadline, reviewer):
    countries = list(Country.objects.filter(region="Oceania").order_by("name")[:5])
    for country in countries:
        OfficialFactory(country=country)

    reminders_request(
        edition=with_deadline, country_ids=[c.pk for c in countries], requested_by=reviewer
    )

    batches = [task.kwargs["reminder_ids"] for task in PendingTask.objects.order_by("pk")]
    assert {task.task for task in PendingTask.objects.all()} == {SEND_REMINDERS_TASK}
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert sorted(pk for batch in batches for pk in batch) == sorted(
        Reminder.objects.values_list("pk", flat=True)
    )


def test_reminders_request_twice_same_day_refused(with_deadline, oceania, reviewer):
    _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    with pytest.raises(ReminderError, match="reminded today already"):
        _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    assert Reminder.objects.count() == 1


def test_reminders_request_same_day_leaves_out_only_those_reminded(
    with_deadline, oceania, reviewer
):
    _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    queued = _request(with_deadline, oceania, "FJI", "WSM", reviewer=reviewer)

    assert [reminder.country.iso3 for reminder in queued.reminders] == ["WSM"]
    assert [country.iso3 for country in queued.skipped_today] == ["FJI"]
    assert Reminder.objects.filter(country__iso3="FJI").count() == 1


def test_reminders_request_again_today_when_confirmed(with_deadline, oceania, reviewer):
    _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    queued = _request(with_deadline, oceania, "FJI", reviewer=reviewer, again_today=True)

    assert len(queued.reminders) == 1
    assert Reminder.objects.filter(country__iso3="FJI").count() == 2


def test_reminders_request_next_day_allowed(with_deadline, oceania, reviewer):
    first = _request(with_deadline, oceania, "FJI", reviewer=reviewer).reminders[0]
    Reminder.objects.filter(pk=first.pk).update(requested_at=first.requested_at - timedelta(days=1))

    queued = _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    assert len(queued.reminders) == 1


def test_reminders_request_without_deadline_refused(edition, oceania, reviewer):
    edition.deadline = None
    edition.save(update_fields=["deadline"])

    with pytest.raises(ReminderError, match="no deadline"):
        _request(edition, oceania, "FJI", reviewer=reviewer)

    assert not Reminder.objects.exists()


def test_reminders_request_only_submitted_or_unreachable_refused(with_deadline, oceania, reviewer):
    with pytest.raises(ReminderError):
        _request(with_deadline, oceania, "TON", "PLW", reviewer=reviewer)

    assert not Reminder.objects.exists()
    assert not PendingTask.objects.exists()


def test_reminders_send_twice_sends_once(with_deadline, oceania, reviewer):
    queued = _request(with_deadline, oceania, "FJI", reviewer=reviewer)
    ids = [reminder.pk for reminder in queued.reminders]

    assert reminders_send(reminder_ids=ids) == 1
    assert reminders_send(reminder_ids=ids) == 0

    assert len(mail.outbox) == 1


def test_reminders_send_country_submitted_since_not_written_to(with_deadline, oceania, reviewer):
    queued = _request(with_deadline, oceania, "FJI", reviewer=reviewer)
    submission_full(edition=with_deadline, country=oceania["FJI"])

    reminders_send(reminder_ids=[reminder.pk for reminder in queued.reminders])

    reminder = Reminder.objects.get()
    assert reminder.sent_at is not None
    assert reminder.recipients == []
    assert mail.outbox == []


def test_reminder_email_names_deadline_and_missing_sections(with_deadline, oceania, reviewer):
    # Fiji completed section I only: the other nine sections are still to do.
    section_one = set(
        with_deadline.questions.filter(section__numeral="I").values_list("code", flat=True)
    )
    values = {
        code: value for code, value in answers_full(with_deadline).items() if code in section_one
    }
    submission_full(
        edition=with_deadline, country=oceania["FJI"], status=Submission.Status.DRAFT, values=values
    )
    User.objects.filter(email="focal@fji.example.org").update(time_zone="Pacific/Fiji")
    queued = _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    reminders_send(reminder_ids=[reminder.pk for reminder in queued.reminders])

    (message,) = mail.outbox
    # 17:00 UTC on 31 December is 05:00 on 1 January in Fiji (UTC+12).
    assert "due by 1 January 2027, 05:00 UTC+12" in message.body
    assert "Fiji" in message.subject
    assert "I. Institutional framework" not in message.body
    assert "II. Strategy" in message.body
    assert "X. Contact and Additional Information (Not started)" in message.body
    assert message.body.count("\n- ") == 9


def test_reminder_email_in_the_recipients_language(with_deadline, oceania, reviewer):
    OfficialFactory(
        country=oceania["FJI"], email="adjoint@fji.example.org", role="contributor", language="fr"
    )
    queued = _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    reminders_send(reminder_ids=[reminder.pk for reminder in queued.reminders])

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"focal@fji.example.org", "adjoint@fji.example.org"}
    assert "Dear colleagues" in by_recipient["focal@fji.example.org"].body
    french = by_recipient["adjoint@fji.example.org"]
    assert "Dear colleagues" not in french.body
    assert "décembre 2026" in french.body
    assert Reminder.objects.get().recipients == [
        "adjoint@fji.example.org",
        "focal@fji.example.org",
    ]


def _automatic(edition, days, *, now):
    edition.reminder_days_before_deadline = days
    edition.save(update_fields=["reminder_days_before_deadline"])
    return reminders_automatic(now=now)


def test_reminders_automatic_n_days_before_deadline(with_deadline, oceania):
    assert _automatic(with_deadline, 7, now=DEADLINE - timedelta(days=8)) == 0
    assert not Reminder.objects.exists()

    assert _automatic(with_deadline, 7, now=DEADLINE - timedelta(days=7)) == 2

    rows = Reminder.objects.order_by("country__name")
    assert [row.country.iso3 for row in rows] == ["FJI", "WSM"]
    assert {(row.kind, row.requested_by) for row in rows} == {(Reminder.Kind.AUTOMATIC, None)}


def test_reminders_automatic_once_per_country(with_deadline, oceania):
    assert _automatic(with_deadline, 7, now=DEADLINE - timedelta(days=7)) == 2
    Reminder.objects.update(requested_at=DEADLINE - timedelta(days=7))

    # Beat's next days: already reminded automatically, nothing more.
    assert reminders_automatic(now=DEADLINE - timedelta(days=6)) == 0
    assert reminders_automatic(now=DEADLINE - timedelta(hours=1)) == 0
    assert Reminder.objects.count() == 2


def test_reminders_automatic_not_after_a_manual_one_today(with_deadline, oceania, reviewer):
    _request(with_deadline, oceania, "FJI", reviewer=reviewer)

    # Relative to the real clock: the manual reminder above was requested now.
    with_deadline.deadline = datetime.now(UTC) + timedelta(days=3)
    with_deadline.save(update_fields=["deadline"])

    sent = _automatic(with_deadline, 7, now=datetime.now(UTC))

    assert sent == 1  # Samoa only: Fiji was reminded today already
    assert Reminder.objects.filter(country__iso3="FJI").count() == 1


def test_reminders_automatic_off_without_days(with_deadline, oceania):
    assert reminders_automatic(now=DEADLINE - timedelta(days=1)) == 0
    assert not Reminder.objects.exists()
