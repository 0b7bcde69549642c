"""One clock: an official's times in their own time zone, reported by their browser."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.middleware import UserTimeZoneMiddleware
from accounts.time_zones import datetime_with_zone, time_with_zone, zone_abbreviation

WINTER = datetime.datetime(2026, 12, 1, 18, 48, tzinfo=datetime.UTC)


def test_time_zone_endpoint_stores_a_known_zone(client, focal_point):
    client.force_login(focal_point)
    response = client.post("/accounts/time-zone/", {"time_zone": "Asia/Tashkent"})
    assert response.status_code == 200
    assert response.json() == {"time_zone": "Asia/Tashkent", "changed": True}
    focal_point.refresh_from_db()
    assert focal_point.time_zone == "Asia/Tashkent"


@pytest.mark.parametrize(
    "junk", ["", "Mars/Olympus_Mons", "../../etc/passwd", "Europe/Paris\x00", "x" * 300]
)
def test_time_zone_endpoint_rejects_junk_with_400(client, focal_point, junk):
    client.force_login(focal_point)
    response = client.post("/accounts/time-zone/", {"time_zone": junk})
    assert response.status_code == 400
    focal_point.refresh_from_db()
    assert focal_point.time_zone == "UTC"


def test_time_zone_endpoint_requires_csrf(focal_point):
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    assert client.post("/accounts/time-zone/", {"time_zone": "Asia/Tashkent"}).status_code == 403
    focal_point.refresh_from_db()
    assert focal_point.time_zone == "UTC"


def test_time_zone_endpoint_takes_no_get(client, focal_point):
    client.force_login(focal_point)
    assert client.get("/accounts/time-zone/?time_zone=Asia/Tashkent").status_code == 405


def _zone_seen(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    middleware = UserTimeZoneMiddleware(
        lambda request: HttpResponse(timezone.get_current_timezone_name())
    )
    return middleware(request).content.decode()


def test_middleware_activates_the_officials_zone(focal_point):
    focal_point.time_zone = "Europe/Paris"
    assert _zone_seen(focal_point) == "Europe/Paris"
    # And lets it go after the response: the thread's next request starts from UTC.
    assert timezone.get_current_timezone_name() == "UTC"


def test_middleware_keeps_reviewers_in_utc(reviewer):
    reviewer.time_zone = "Asia/Tashkent"
    assert _zone_seen(reviewer) == "UTC"


def test_middleware_falls_back_to_utc_for_an_unknown_stored_zone(focal_point):
    focal_point.time_zone = "Atlantis/Capital"
    assert _zone_seen(focal_point) == "UTC"


def test_times_carry_their_zone_abbreviation():
    with timezone.override("Europe/Paris"):
        assert time_with_zone(WINTER) == "19:48 CET"
        assert datetime_with_zone(WINTER) == "1 December 2026, 19:48 CET"
    with timezone.override("UTC"):
        assert time_with_zone(WINTER) == "18:48 UTC"
    # Zones with only a numeric abbreviation are named by their offset.
    with timezone.override("Asia/Tashkent"):
        assert time_with_zone(WINTER) == "23:48 UTC+05"
    with timezone.override("Asia/Kathmandu"):
        assert zone_abbreviation(WINTER) == "UTC+05:45"


def test_save_draft_banner_and_autosave_say_the_same_time_in_the_officials_zone(
    client, focal_point, edition
):
    from tests.questionnaire.filling_helpers import section_data

    focal_point.time_zone = "Asia/Tashkent"
    focal_point.save(update_fields=["time_zone"])
    client.force_login(focal_point)
    section = edition.sections.get(code="social-media")
    url = f"/section/{section.code}/"
    autosave = client.post(
        f"{url}autosave",
        {"base_version": 1, "values": {"q14": {"details": "Telegram"}}},
        content_type="application/json",
    ).json()
    assert autosave["saved_at_display"].endswith(" UTC+05")
    saved_at = datetime.datetime.fromisoformat(autosave["saved_at"])
    with timezone.override("Asia/Tashkent"):
        assert autosave["saved_at_display"] == time_with_zone(saved_at)
    from questionnaire.models import Submission

    submission = Submission.objects.get(country=focal_point.country)
    response = client.post(url, section_data(section, submission=submission), follow=True)
    banner = [str(message) for message in response.context["messages"]]
    assert len(banner) == 1 and banner[0].startswith("Saved at ")
    assert banner[0].endswith(" UTC+05.")
