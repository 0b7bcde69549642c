"""The six UN languages in the browser: Arabic turns the whole page right-to-left, and the
journey runs in French and in Arabic from the header's language switcher.

Fields are found by name here, not by label, so that the test keeps working
once the Arabic translations of the labels exist.
"""

import re

import pytest
from playwright.sync_api import expect

from questionnaire.models import Answer
from tests.browser.conftest import audit
from tests.conftest import wait_for
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

ARABIC = "تستخدم الحكومة وسائل التواصل الاجتماعي للتواصل مع المواطنين"


def test_arabic_interface_is_right_to_left_and_accessible(contexts, focal_point, edition, settings):
    settings.LANGUAGES = [("en", "English"), ("ar", "Arabic")]
    context = contexts.new(user=focal_point)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": contexts.base_url}]
    )
    page = context.new_page()
    page.goto("/section/social-media/")

    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("link[href$='bootstrap.rtl.min.css']")).to_have_count(1)

    details = page.locator("[name='q14-details-value']")
    details.fill(ARABIC)
    saved = Answer.objects.filter(
        submission__country=focal_point.country, question__code="q14", value__details=ARABIC
    )
    wait_for(saved.exists, timeout=30)
    audit(page, "section-arabic-rtl")
    page.reload()
    expect(details).to_have_value(ARABIC)


# What static/js/filling.js says once saved, from Django's JavaScript catalogue (djangojs.po).
# The autosave status says what the "Save draft" banner says (one message, "Saved at %(time)s.").
SAVED_AT = {"fr": "Enregistré à", "ar": "حُفظ في"}


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_journey_in_french_and_arabic_from_the_switcher(
    contexts, focal_point, edition, language, direction
):
    """Sign-in page → the header's switcher → sign in → overview → a section, autosaved with
    the script's own words in that language; axe finds nothing serious on any page."""
    page = contexts.page()
    page.goto("/accounts/login/")
    switcher = page.locator("form[action='/i18n/setlang/']")
    switcher.locator("select[name=language]").select_option(language)
    switcher.locator("button[type=submit]").click()

    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", direction)
    audit(page, f"sign-in-{language}")

    page.locator("input[name=username]").fill(focal_point.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(html).to_have_attribute("lang", language)
    focal_point.refresh_from_db()
    assert focal_point.language == language
    audit(page, f"overview-{language}")

    page.goto("/section/social-media/")
    expect(html).to_have_attribute("dir", direction)
    page.locator("[name='q14-details-value']").fill(ARABIC if language == "ar" else "Portail")
    expect(page.locator("#autosave-status")).to_contain_text(SAVED_AT[language], timeout=30_000)
    expect(page.locator("#autosave-status")).to_contain_text("UTC")
    audit(page, f"section-{language}")
