"""The section page's buttons answer the first click, whatever the autosave status says."""

import json

import pytest
from playwright.sync_api import expect

from questionnaire.filling.services import AnswerLimitError
from questionnaire.models import Answer
from tests.browser.conftest import AUTOSAVE_TIMEOUT_MS
from tests.browser.filling import part

pytestmark = pytest.mark.browser

SECTION_URL = "/section/international-and-regional-cooperation/"


def test_save_and_continue_answers_first_click_after_autosave_error(contexts, focal_point, edition):
    page = contexts.page(user=focal_point)
    # The portal refuses the autosave as it refuses a text over 20,000 characters. The
    # refusal is simulated so that the button's own save succeeds and leads on.
    page.route(
        "**/section/international-and-regional-cooperation/autosave",
        lambda route: route.fulfill(
            status=400,
            content_type="application/json",
            body=json.dumps(
                {"error": str(AnswerLimitError.message), "code": "input", "problems": {}}
            ),
        ),
    )
    page.goto(SECTION_URL)
    answer = part(page, "q22", "details").get_by_label("Details and comments", exact=True)
    answer.fill("ASEAN digital masterplan; Digital Silk Road")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("too long", timeout=AUTOSAVE_TIMEOUT_MS)
    # Said once: not "Not saved: Nothing was saved: …".
    expect(status).to_have_text(str(AnswerLimitError.message))
    expect(answer).to_be_focused()

    # Leaving the field (mouse down on the button) must not change the status under
    # the pointer: one click, and the next section opens.
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact and Additional")
    stored = Answer.objects.get(submission__country=focal_point.country, question__code="q22")
    assert stored.value["details"] == "ASEAN digital masterplan; Digital Silk Road"
