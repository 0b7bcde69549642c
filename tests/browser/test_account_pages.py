"""The officials' account pages, in chromium: the team page (a focal point invites a
contributor), the account page and two-factor set-up, each checked with axe."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import audit, label

pytestmark = pytest.mark.browser


def test_team_page_focal_point_invites_contributor(contexts, focal_point, edition):
    page = contexts.page(user=focal_point)
    page.goto("/")
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Team of {focal_point.country.name}")
    audit(page, "team")

    page.get_by_label(label("E-mail address of the new contributor")).fill("deputy@egov.uz")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to deputy@egov.uz")
    assert [message.to for message in mail.outbox] == [["deputy@egov.uz"]]
    audit(page, "team-invited")


def test_account_and_two_factor_setup_pages(contexts, focal_point, edition):
    page = contexts.page(user=focal_point)
    page.goto("/")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    audit(page, "account")
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    # The QR code is an inline SVG with a title: no image request, nothing the CSP blocks.
    expect(page.locator("svg title")).to_have_count(1)
    audit(page, "two-factor-setup")
