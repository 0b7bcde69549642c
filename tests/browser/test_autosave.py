# ruff: noqa: RUF001 - Cyrillic and Arabic answers are the point of these tests
"""Autosave and concurrent editing, in chromium: what the official sees, and what is stored."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from questionnaire.models import Answer
from tests.browser.conftest import audit, label
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

SECTION_URL = "/section/social-media/"
# Cyrillic, Arabic (right-to-left) and a second paragraph, as officials paste them.
TYPED = (
    "Telegram-канал правительства @gov_uz; руководство для госслужащих.\nقناة الحكومة على تيليجرام"
)


def details(page):
    """The free-text box of question 14."""
    return page.locator("#question-q14").get_by_label("Details and comments", exact=True)


def test_autosave_keeps_text_when_page_closed_without_saving(contexts, focal_point, edition):
    context = contexts.new(user=focal_point)
    page = context.new_page()
    page.goto(SECTION_URL)
    audit(page, "section-social-media")

    details(page).press_sequentially(TYPED[:40])
    details(page).fill(TYPED)
    # Nothing pressed: the script saves a couple of seconds after typing stops.
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    page.close()

    reopened = context.new_page()
    reopened.goto(SECTION_URL)
    expect(details(reopened)).to_have_value(TYPED)
    answer = Answer.objects.get(submission__country=focal_point.country, question__code="q14")
    assert answer.value["details"] == TYPED
    assert answer.updated_by == focal_point


def test_autosave_second_editor_gets_conflict_and_keeps_typed_values(
    contexts, focal_point, contributor, edition
):
    first = contexts.page(user=focal_point)
    second = contexts.page(user=contributor)
    first.goto(SECTION_URL)
    second.goto(SECTION_URL)

    details(first).fill("The focal point's answer")
    expect(first.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)

    theirs = "Ответ второго сотрудника — the contributor's answer"
    details(second).fill(theirs)
    status = second.locator("#autosave-status")
    expect(status).to_contain_text("Nothing was saved", timeout=15_000)
    expect(status).to_contain_text(focal_point.full_name)
    expect(details(second)).to_have_value(theirs)

    # Saving by the button shows both versions, with the typed one still in the box.
    second.get_by_role("button", name="Save draft", exact=True).click()
    alert = second.locator("#form-errors")
    expect(alert).to_contain_text("Nothing was saved")
    conflict = second.locator("#question-q14 .conflict")
    expect(conflict).to_contain_text("The focal point's answer")
    expect(details(second)).to_have_value(theirs)
    audit(second, "section-conflict")

    answer = Answer.objects.get(submission__country=focal_point.country, question__code="q14")
    assert answer.value["details"] == "The focal point's answer"


def test_autosave_after_session_expiry_keeps_typed_text_through_sign_in(
    contexts, focal_point, edition
):
    page = contexts.page(user=focal_point)
    page.goto(SECTION_URL)
    details(page).fill("Typed before lunch")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)

    # The session ends on the server (idle timeout) while the page stays open.
    Session.objects.all().delete()
    details(page).fill(TYPED)
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("session has expired", timeout=15_000)
    audit(page, "section-session-expired")

    status.get_by_role("link", name="Sign in again").click()
    page.get_by_label(label("E-mail address")).fill(focal_point.email)
    page.get_by_label(label("Password")).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Social Media")
    expect(page.get_by_role("status").first).to_contain_text("What you typed before signing in")
    expect(details(page)).to_have_value(TYPED)
    answer = Answer.objects.get(submission__country=focal_point.country, question__code="q14")
    assert answer.value["details"] == TYPED


def test_autosave_retries_by_itself_after_server_error(contexts, focal_point, edition):
    page = contexts.page(user=focal_point)
    attempts = []

    def portal_restarting_once(route):
        attempts.append(route.request.method)
        if len(attempts) == 1:
            # What the proxy answers while gunicorn restarts during a deploy.
            route.fulfill(status=503, content_type="text/html", body="<h1>503</h1>")
        else:
            route.continue_()

    page.route("**/section/social-media/autosave", portal_restarting_once)
    page.goto(SECTION_URL)
    details(page).fill(TYPED)

    status = page.locator("#autosave-status")
    expect(status).to_contain_text("not answering", timeout=15_000)
    # Nothing typed or pressed since: the script tries again on its own.
    expect(status).to_contain_text("Saved at", timeout=30_000)
    assert attempts == ["POST", "POST"]
    answer = Answer.objects.get(submission__country=focal_point.country, question__code="q14")
    assert answer.value["details"] == TYPED
