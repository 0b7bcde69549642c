"""The reminder's confirmation step and the invitation list, from the staff dashboard."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Country, Invitation, User
from questionnaire.models import PendingTask, Reminder
from questionnaire.review.reminders import SEND_REMINDERS_TASK, reminders_send
from tests.conftest import wait_for
from tests.factories import OfficialFactory, ReviewerFactory, submission_full

DASHBOARD = reverse("questionnaire:staff_dashboard")
REMINDERS = reverse("questionnaire:staff_reminders")
INVITATIONS = reverse("questionnaire:staff_invitations")


@pytest.fixture
def oceania(edition):
    """Fiji and Samoa with an official each, Tonga submitted, the rest of Oceania without one."""
    edition.deadline = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    edition.save(update_fields=["deadline"])
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["FJI", "WSM", "TON"])}
    for iso3 in countries:
        OfficialFactory(country=countries[iso3], email=f"focal@{iso3.lower()}.example.org")
    submission_full(edition=edition, country=countries["TON"])
    return countries


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _post_confirm(client, countries, *iso3s, again_today=False):
    data = {"country": [countries[iso3].pk for iso3 in iso3s]}
    if again_today:
        data["again_today"] = "on"
    return client.post(f"{REMINDERS}?region=Oceania", data)


def test_dashboard_offers_reminders_and_lists_countries_needing_an_invitation(
    reviewer_client, oceania
):
    page = reviewer_client.get(DASHBOARD, {"region": "Oceania"}).content.decode()

    assert f'name="country" value="{oceania["FJI"].pk}"' in page
    assert 'name="scope" value="all"' in page
    assert "11 countries need an invitation" in page  # 14 in Oceania, 3 with an official
    assert "Palau (PW, PLW)" in page


def test_reminders_confirm_lists_who_will_receive_it(reviewer_client, oceania):
    response = reviewer_client.get(REMINDERS, {"scope": "all", "region": "Oceania"})

    assert response.status_code == 200
    targets = [target.chase.country.iso3 for target in response.context["targets"]]
    assert targets == ["FJI", "WSM"]  # Tonga submitted
    assert len(response.context["without_officials"]) == 11
    page = response.content.decode()
    assert "focal@fji.example.org" in page
    assert "2026-12-31 17:00 UTC" in page
    assert not Reminder.objects.exists()  # opening the page never writes


def test_reminders_confirm_ticked_countries_only(reviewer_client, oceania):
    response = reviewer_client.get(REMINDERS, {"scope": "ticked", "country": oceania["WSM"].pk})

    assert [t.chase.country.iso3 for t in response.context["targets"]] == ["WSM"]


def test_reminders_confirm_nothing_ticked_explains(reviewer_client, oceania):
    response = reviewer_client.get(REMINDERS, {"scope": "ticked"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_reminders_send_records_and_again_today_needs_the_tick(reviewer_client, reviewer, oceania):
    response = _post_confirm(reviewer_client, oceania, "FJI", "WSM")
    # What the worker does with the queued batch (the test's transaction never commits).
    (task,) = PendingTask.objects.filter(task=SEND_REMINDERS_TASK)
    reminders_send(**task.kwargs)

    assert response.status_code == 302
    assert response["Location"].startswith(DASHBOARD)
    assert sorted(r.country.iso3 for r in Reminder.objects.filter(requested_by=reviewer)) == [
        "FJI",
        "WSM",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "focal@fji.example.org",
        "focal@wsm.example.org",
    ]

    page = reviewer_client.get(REMINDERS, {"scope": "all", "region": "Oceania"}).content.decode()
    assert "2 countries were reminded today already" in page
    assert 'name="again_today"' in page

    refused = _post_confirm(reviewer_client, oceania, "FJI", "WSM")
    assert refused.status_code == 400
    assert "reminded today already" in refused.content.decode()
    assert Reminder.objects.count() == 2

    confirmed = _post_confirm(reviewer_client, oceania, "FJI", again_today=True)
    assert confirmed.status_code == 302
    assert Reminder.objects.count() == 3


def test_reminders_send_unknown_country_refused(reviewer_client, oceania):
    response = reviewer_client.post(REMINDERS, {"country": ["999999", "x"]})

    assert response.status_code == 400
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("url", [REMINDERS, INVITATIONS])
def test_reminder_pages_refused_to_officials_and_anonymous(client, oceania, url):
    official = User.objects.get(email="focal@fji.example.org")
    data = {"country": [oceania["FJI"].pk], "addresses": "PW, a@gov.pw"}

    assert client.get(url).status_code in {302, 403}
    assert client.post(url, data).status_code in {302, 403}
    client.force_login(official)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not Reminder.objects.exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("url", [REMINDERS, INVITATIONS])
def test_reminder_pages_post_without_csrf_token_refused(oceania, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ReviewerFactory())

    response = client.post(url, {"country": [oceania["FJI"].pk], "addresses": "PW, a@gov.pw"})

    assert response.status_code == 403
    assert not Reminder.objects.exists()
    assert not Invitation.objects.exists()


def test_invitations_paste_good_list_invites(reviewer_client, oceania):
    response = reviewer_client.post(INVITATIONS, {"addresses": "PW, a@gov.pw\nVUT, b@gov.vu"})

    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("country__iso3", "email", "role")) == [
        ("PLW", "a@gov.pw", "focal_point"),
        ("VUT", "b@gov.vu", "focal_point"),
    ]
    followed = reviewer_client.get(response["Location"]).content.decode()
    assert "2 invitations sent" in followed
    assert "invitation to a@gov.pw waiting since" in followed


def test_invitations_paste_bad_line_shows_errors_and_invites_nothing(reviewer_client, oceania):
    response = reviewer_client.post(
        INVITATIONS, {"addresses": "PW, a@gov.pw\nFJ, b@gov.fj\nNarnia, c@x.org"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was sent" in page
    assert "Line 2" in page and "Fiji already has an official account" in page
    assert "Line 3" in page and "“Narnia” is not a Member State" in page
    assert "Line 1" not in page
    assert "PW, a@gov.pw" in page  # the text is kept for correcting
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_reminders_sent_by_the_worker(client, edition, celery_worker_process):
    """A real worker on Redis sends the batches (eager on the embedded default)."""
    edition.deadline = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    edition.save(update_fields=["deadline"])
    countries = list(Country.objects.filter(region="Oceania").order_by("name")[:5])
    for country in countries:
        OfficialFactory(country=country)
    client.force_login(ReviewerFactory())

    response = client.post(REMINDERS, {"country": [country.pk for country in countries]})

    assert response.status_code == 302
    wait_for(lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(), timeout=60)
    assert Reminder.objects.count() == 5
    assert all(len(reminder.recipients) == 1 for reminder in Reminder.objects.all())


def test_dashboard_queries_do_not_grow_with_reminders_and_invitations(
    reviewer_client, reviewer, edition, oceania
):
    reviewer_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as before:
        reviewer_client.get(DASHBOARD)
    for iso3 in ["FJI", "WSM"]:
        Reminder.objects.create(
            edition=edition, country=oceania[iso3], kind="manual", requested_by=reviewer
        )
    reviewer_client.post(INVITATIONS, {"addresses": "PW, a@gov.pw\nVUT, b@gov.vu\nKI, c@gov.ki"})
    reviewer_client.get(DASHBOARD)  # the message of the invitations, shown once

    with CaptureQueriesContext(connection) as after:
        page = reviewer_client.get(DASHBOARD).content.decode()

    assert len(before) > 5
    assert len(after) == len(before)
    assert page.count(" UTC</td>") == 2
    assert page.count("waiting since") == 3
