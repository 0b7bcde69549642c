"""The idle-timeout warning, in chromium: it appears before the session ends and "Stay signed
in" keeps the session. Short timeouts are set for the test; nothing here measures time."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit

pytestmark = pytest.mark.browser


def test_idle_warning_appears_and_stay_signed_in_hides_it(contexts, focal_point, edition, settings):
    # Warn 4 s after the page loads (and again 4 s after "Stay signed in"); the session
    # itself would last 2 minutes.
    settings.SESSION_COOKIE_AGE = 120
    settings.IDLE_WARNING_SECONDS = 116
    page = contexts.page(user=focal_point)
    page.goto("/section/social-media/")

    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible()
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    audit(page, "idle-warning")

    with page.expect_response(lambda response: "keepalive" in response.url) as keepalive:
        page.keyboard.press("Enter")
    assert keepalive.value.ok
    expect(warning).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Social Media")
