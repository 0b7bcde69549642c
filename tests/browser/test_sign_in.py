"""Signing in through the real form, in chromium: the pages every journey starts from."""

import pytest

from tests.browser.conftest import audit
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_official_lands_on_country_overview(page, focal_point, edition):
    page.goto("/accounts/login/")
    audit(page, "sign-in")

    page.get_by_label("E-mail address").fill(focal_point.email.upper())
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", level=1, name=edition.title).wait_for()
    assert page.get_by_text(focal_point.country.name).first.is_visible()
    audit(page, "overview")


def test_sign_in_wrong_password_shows_error_and_stays_signed_out(page, focal_point, edition):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(focal_point.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.is_visible()
    assert "/accounts/login/" in page.url
    audit(page, "sign-in-error")
