"""The accessibility statement, the privacy notice and the sign-in page with the UN DESA header
and footer, in chromium at 1280 and 390 px: axe finds nothing serious, nothing is wider than
the screen, and the footer's links lead to the pages."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import audit

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = ["/accounts/login/", "/accessibility/", "/privacy/"]


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("url", PAGES)
def test_trust_page_passes_axe_and_fits_the_screen(page, url, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto(url)

    assert page_width(page) <= WIDTHS[width]["width"]
    expect(page.get_by_role("contentinfo")).to_contain_text("Department of Economic and Social")
    audit(page, f"trust-{url.strip('/').replace('/', '-')}-{width}")


def test_footer_links_lead_to_statement_and_notice(page):
    page.goto("/accounts/login/")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Help and contact")).to_have_attribute(
        "href", "mailto:dpidg@un.org"
    )

    footer.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")


def test_signed_in_phone_header_keeps_sign_out_on_screen(contexts, focal_point, edition):
    page = contexts.page(user=focal_point)
    page.set_viewport_size(WIDTHS["phone"])
    page.goto("/accessibility/")

    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport(ratio=1)
    assert page_width(page) <= WIDTHS["phone"]["width"]
    audit(page, "trust-accessibility-signed-in-phone")


@pytest.mark.parametrize("width", WIDTHS)
def test_accessibility_statement_in_arabic_reads_right_to_left(contexts, width):
    context = contexts.new()
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": contexts.base_url}]
    )
    page = context.new_page()
    page.set_viewport_size(WIDTHS[width])
    page.goto("/accessibility/")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("بيان إمكانية الوصول")
    assert page_width(page) <= WIDTHS[width]["width"]
    audit(page, f"trust-accessibility-arabic-{width}")
