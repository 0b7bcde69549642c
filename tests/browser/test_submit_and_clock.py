"""Consent and submit in one action, the deadline with its days left, and one clock: what an
official sees in chromium, in the time zone of their browser."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from questionnaire.filling.services import submission_get_or_create
from questionnaire.models import Edition, Submission, SubmissionEvent
from tests.browser.conftest import PROJECT_ROOT, audit
from tests.conftest import wait_for
from tests.questionnaire.filling.test_services import COMPLETE, save

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
ZONE = "Asia/Tashkent"
PHONE = {"width": 390, "height": 844}


def _complete_draft(edition, focal_point) -> Submission:
    submission = submission_get_or_create(
        edition=edition, country=focal_point.country, user=focal_point
    )
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    return submission


def _last_minute_in_tashkent(*, days: int) -> datetime.datetime:
    """23:59 in Tashkent, `days` days from today there: a deadline as DPIDG would set it."""
    today = timezone.localtime(timezone.now(), ZoneInfo(ZONE))
    return (today + datetime.timedelta(days=days)).replace(hour=23, minute=59, second=0)


def _zone_stored(user: User, zone: str) -> None:
    """Wait until the page's script has told the portal the browser's zone."""
    wait_for(lambda: User.objects.get(pk=user.pk).time_zone == zone, timeout=15)


def test_consent_and_submit_is_one_action(contexts, edition, focal_point):
    submission = _complete_draft(edition, focal_point)
    Edition.objects.filter(pk=edition.pk).update(deadline=_last_minute_in_tashkent(days=120))
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = contexts.page(user=focal_point, timezone_id=ZONE)
    phone.set_viewport_size(PHONE)
    phone.goto("/review/")
    _zone_stored(focal_point, ZONE)
    phone.reload()
    audit(phone, "review-390")
    # Nothing wider than the phone: no sideways scrolling to reach the choice or the button.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(phone.locator("#submit-form").get_by_role("button")).to_be_visible()
    phone.screenshot(path=str(DOCS_SCREENSHOTS / "review-390.png"), full_page=True)

    page = contexts.page(user=focal_point, timezone_id=ZONE)
    page.goto("/review/")
    audit(page, "review-1280")
    page.screenshot(path=str(DOCS_SCREENSHOTS / "review-1280.png"), full_page=True)

    # One form: the wording, the choice and the button; no separate step.
    expect(page.locator("#consent-wording")).to_contain_text("authorize UNDESA to publish")
    expect(page.get_by_role("button", name="Record my choice")).to_have_count(0)
    expect(page.locator("form")).to_have_count(3)  # sign-out, language, and this one
    form = page.locator("#submit-form")
    form.get_by_label("No, I/we do not authorize UNDESA to publish our responses.").check()
    form.get_by_role("button", name="Submit the questionnaire").click()
    expect(page.locator("#submission-status")).to_have_text("Submitted")

    submission.refresh_from_db()
    assert (submission.status, submission.consent) == ("submitted", "refused")
    kinds = list(
        submission.events.filter(
            kind__in=[SubmissionEvent.Kind.CONSENT_CHANGED, SubmissionEvent.Kind.SUBMITTED]
        )
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [SubmissionEvent.Kind.CONSENT_CHANGED, SubmissionEvent.Kind.SUBMITTED]


def test_review_with_problems_offers_no_submit(contexts, edition, focal_point):
    submission_get_or_create(edition=edition, country=focal_point.country, user=focal_point)
    page = contexts.page(user=focal_point)
    page.goto("/review/")
    expect(page.locator("#submit-problems li").first).to_be_visible()
    expect(page.get_by_role("button", name="Submit the questionnaire")).to_have_count(0)
    # Each item leads to its question.
    page.locator("#submit-problems a[href*='#question-q1']").first.click()
    expect(page).to_have_url(re.compile(r"/section/institutional-framework/#question-q1$"))


def test_deadline_shows_with_days_left_in_the_browsers_zone(contexts, edition, focal_point):
    Edition.objects.filter(pk=edition.pk).update(deadline=_last_minute_in_tashkent(days=120))
    page = contexts.page(user=focal_point, timezone_id=ZONE)
    page.goto("/")
    _zone_stored(focal_point, ZONE)
    page.reload()
    deadline = page.locator("#deadline")
    expect(deadline).to_contain_text(f"({ZONE})")
    expect(deadline).to_contain_text(re.compile(r"\d{4}, 23:59 \(Asia/Tashkent\) — 120 days left$"))
    page.goto("/section/social-media/")
    expect(page.locator("#deadline")).to_contain_text(f"({ZONE})")


def test_autosave_and_save_draft_say_the_same_time_in_the_same_zone(contexts, edition, focal_point):
    page = contexts.page(user=focal_point, timezone_id=ZONE)
    page.goto("/section/social-media/")
    _zone_stored(focal_point, ZONE)
    page.locator("#question-q14 textarea").first.fill("Telegram channels of every ministry")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Saved at", timeout=20_000)
    autosaved = status.inner_text().strip()
    page.get_by_role("button", name="Save draft", exact=True).click()
    banner = page.locator(".messages .alert-success")
    expect(banner).to_contain_text("Saved at")
    saved = banner.inner_text().strip()
    pattern = re.compile(r"^Saved at (\d{2}):(\d{2}) (UTC\+05)\.$")
    auto_match, banner_match = pattern.match(autosaved), pattern.match(saved)
    assert auto_match and banner_match, (autosaved, saved)
    # The same clock (Tashkent, 24-hour): the two saves are seconds apart.
    minutes = [int(m[1]) * 60 + int(m[2]) for m in (auto_match, banner_match)]
    assert 0 <= (minutes[1] - minutes[0]) % (24 * 60) <= 1, (autosaved, saved)
    now = timezone.localtime(timezone.now(), datetime.timezone(datetime.timedelta(hours=5)))
    assert (now.hour * 60 + now.minute - minutes[1]) % (24 * 60) <= 2, (now, saved)
