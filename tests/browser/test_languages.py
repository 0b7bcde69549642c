"""The templates are ready for the six UN languages: Arabic turns the whole page right-to-left.

Arabic is offered here as MSQ_LANGUAGES=en,ar would offer it once its catalogue exists.

Fields are found by name here, not by label, so that the test keeps working
once the Arabic translations of the labels exist.
"""

import pytest
from playwright.sync_api import expect

from questionnaire.models import Answer
from tests.browser.conftest import audit
from tests.conftest import wait_for

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
