"""A reviewer reminds the countries of one UN region that have not submitted, in chromium:
the dashboard's selection, the confirmation step, one e-mail per country's officials,
the record, and a second reminder the same day refused without the explicit tick."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Country
from questionnaire.models import Reminder
from tests.browser.conftest import audit, screenshot
from tests.conftest import wait_for
from tests.factories import OfficialFactory, submission_full

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def oceania(edition):
    """Fiji (two officials), Samoa (one) and Tonga (submitted) have accounts; the rest of
    Oceania has none. Uzbekistan, outside the region, has an official too."""
    edition.deadline = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    edition.save(update_fields=["deadline"])
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["FJI", "WSM", "TON", "UZB"])}
    OfficialFactory(country=countries["FJI"], email="focal@fji.example.org")
    OfficialFactory(country=countries["FJI"], email="deputy@fji.example.org", role="contributor")
    OfficialFactory(country=countries["WSM"], email="focal@wsm.example.org", language="fr")
    OfficialFactory(country=countries["TON"], email="focal@ton.example.org")
    OfficialFactory(country=countries["UZB"], email="focal@uzb.example.org")
    submission_full(edition=edition, country=countries["TON"])
    return countries


def _confirmation_for_region(page: Page) -> None:
    page.goto("/staff/dashboard/")
    page.get_by_label("Countries not submitted in").select_option("Oceania")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("heading", name="13 countries have not submitted — Oceania")
    ).to_be_visible()
    page.get_by_role("button", name="Remind the 2 countries listed that have officials…").click()
    expect(page.get_by_role("heading", name="Who will receive it")).to_be_visible()


def test_reminder_to_a_region_arrives_once_per_country_and_is_recorded(
    contexts, reviewer, oceania, celery_worker_process
):
    page = contexts.page(user=reviewer)
    _confirmation_for_region(page)
    targets = page.locator("table.review-targets tbody tr")
    expect(targets).to_have_count(2)
    expect(targets.nth(0)).to_contain_text("focal@fji.example.org")
    expect(page.locator("#content-main")).to_contain_text("Not reminded: 11 countries")
    audit(page, "staff-reminder-confirm")

    page.get_by_role("button", name="Send the reminder to 2 countries").click()
    expect(page.locator(".messagelist")).to_contain_text("Reminders to 2 countries are being sent")

    wait_for(lambda: Reminder.objects.filter(sent_at__isnull=False).count() == 2, timeout=60)
    recorded = {r.country.iso3: sorted(r.recipients) for r in Reminder.objects.all()}
    assert recorded == {
        "FJI": ["deputy@fji.example.org", "focal@fji.example.org"],
        "WSM": ["focal@wsm.example.org"],
    }
    assert {r.requested_by for r in Reminder.objects.all()} == {reviewer}
    if celery_worker_process is None:  # in-process: the e-mails are in locmem's outbox
        received = sorted(address for message in mail.outbox for address in message.to)
        assert received == [
            "deputy@fji.example.org",
            "focal@fji.example.org",
            "focal@wsm.example.org",
        ]
    page.reload()
    expect(page.locator("table.review-waiting")).to_contain_text("UTC")
    audit(page, "staff-dashboard-after-reminder")

    # The same day again: listed as reminded, refused without the tick.
    sent_before = len(mail.outbox)
    page.get_by_role("button", name="Remind the 2 countries listed that have officials…").click()
    expect(
        page.get_by_role("heading", name="2 countries were reminded today already")
    ).to_be_visible()
    page.get_by_role("button", name="Send the reminder to 2 countries").click()
    expect(page.get_by_role("alert")).to_contain_text("reminded today already")
    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == sent_before
    audit(page, "staff-reminder-refused")

    page.get_by_label("Remind them again today").check()
    page.get_by_role("button", name="Send the reminder to 2 countries").click()
    expect(page.locator(".messagelist")).to_contain_text("Reminders to 2 countries are being sent")
    assert Reminder.objects.count() == 4


@pytest.mark.parametrize("width", list(WIDTHS))
def test_reminder_pages_screenshots(contexts, reviewer, oceania, width):
    page = contexts.page(user=reviewer)
    page.set_viewport_size(WIDTHS[width])
    _confirmation_for_region(page)
    screenshot(page, f"reminder-confirm-{width}")
    page.goto("/staff/dashboard/?region=Oceania")
    screenshot(page, f"reminder-dashboard-{width}")
    page.goto("/staff/invitations/")
    page.get_by_label("Focal points to invite").fill("PW, a@gov.pw\nNarnia, b@gov.example\nFJ, c")
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was sent")
    audit(page, f"staff-invitations-errors-{width}")
