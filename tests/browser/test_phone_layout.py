"""Section pages at 390 by 844 px: nothing wider than the screen, every control reachable."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# The sections whose footnotes hold long URLs (VIII: question 17; IX: the section's own).
LONG_FOOTNOTES = ["/section/indicators/", "/section/international-and-regional-cooperation/"]


def phone_page(contexts, user):
    # Resized after opening: Contexts.new sets the desktop viewport itself.
    page = contexts.page(user=user)
    page.set_viewport_size(PHONE)
    return page


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("url", LONG_FOOTNOTES)
def test_section_on_phone_fits_the_screen(contexts, focal_point, edition, url):
    page = phone_page(contexts, focal_point)
    page.goto(url)

    assert page_width(page) <= PHONE["width"]
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport(ratio=1)
    # The action bar sticks to the bottom of the screen, not below it.
    expect(page.get_by_role("button", name="Save and continue")).to_be_in_viewport(ratio=1)
    audit(page, f"phone-{url.strip('/').replace('/', '-')}")


def test_section_on_phone_has_sections_navigation(contexts, focal_point, edition):
    page = phone_page(contexts, focal_point)
    page.goto("/section/indicators/")

    sections = page.get_by_role("navigation", name="Sections of the questionnaire")
    sections.get_by_text("All sections").click()
    current = sections.get_by_role("link", name="VIII. Indicators")
    expect(current).to_have_attribute("aria-current", "step")
    sections.get_by_role("link", name="X. Contact and Additional Information").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact and Additional")
    assert page_width(page) <= PHONE["width"]


def test_team_page_on_phone_fits_and_cancel_is_reachable(contexts, focal_point, edition):
    from accounts.models import User
    from tests.factories import InvitationFactory

    InvitationFactory(
        email="a.very.long.address.of.a.new.contributor@digital-ministry.gov.uz",
        country=focal_point.country,
        role=User.Role.CONTRIBUTOR,
        created_by=focal_point,
    )
    page = phone_page(contexts, focal_point)
    page.goto("/accounts/team/")

    assert page_width(page) <= PHONE["width"]
    cancel = page.get_by_role("button", name="Cancel")
    cancel.scroll_into_view_if_needed()
    expect(cancel).to_be_in_viewport(ratio=1)
    audit(page, "phone-team")


STAFF_PAGES = ["/staff/dashboard/", "/staff/exports/", "/accounts/invite/"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_page_on_phone_fits_the_screen(contexts, reviewer, edition, url):
    from accounts.models import Country
    from tests.factories import submission_full

    submission_full(edition=edition, country=Country.objects.get(iso3="UZB"))
    page = phone_page(contexts, reviewer)
    page.goto(url)

    assert page_width(page) <= PHONE["width"]
    audit(page, f"phone-{url.strip('/').replace('/', '-')}")


def test_submission_review_page_on_phone_fits_the_screen(contexts, reviewer, edition):
    from accounts.models import Country
    from tests.factories import submission_full

    submission = submission_full(edition=edition, country=Country.objects.get(iso3="UZB"))
    page = phone_page(contexts, reviewer)
    page.goto(f"/admin/questionnaire/submission/{submission.pk}/change/")

    assert page_width(page) <= PHONE["width"]
    audit(page, "phone-admin-submission-review")
