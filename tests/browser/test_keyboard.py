"""One whole section completed with the keyboard alone: Tab, Space, Enter and typing.

Nothing is clicked or filled programmatically: every field is reached with
Tab, so a field the keyboard cannot reach, or a button that does not answer
Enter, fails the test.
"""

import pytest
from playwright.sync_api import Page, expect

from questionnaire.models import Answer
from tests.browser.conftest import audit

pytestmark = pytest.mark.browser

MAX_TABS = 80


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"{selector} not reached with {MAX_TABS} Tabs; focus is on {focused}")


def test_keyboard_only_completes_usage_section(contexts, focal_point, edition):
    page = contexts.page(user=focal_point)
    page.goto("/section/usage-of-online-services/")

    # The skip link is the first stop and takes focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")

    # Question 10: Space ticks the first radio ("Yes"); question 11 appears.
    tab_to(page, "input[name='q10-answer-value']")
    page.keyboard.press("Space")
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    expect(page.locator("#question-q11")).to_be_visible()

    tab_to(page, "[name='q11-details-value']")
    page.keyboard.type("Отчёты публикуются ежеквартально на data.egov.uz")
    tab_to(page, "[name='q11-links-0-name']")
    page.keyboard.type("Open data portal")
    page.keyboard.press("Tab")
    expect(page.locator("[name='q11-links-0-url']")).to_be_focused()
    page.keyboard.type("data.egov.uz")

    # "Add another link" answers Enter and puts the focus in the new row.
    tab_to(page, "#q11-links [data-add-row]")
    page.keyboard.press("Enter")
    expect(page.locator("[name='q11-links-1-name']")).to_be_focused()
    page.keyboard.type("Statistics")
    page.keyboard.press("Tab")
    page.keyboard.type("https://stat.uz/ru/")
    audit(page, "keyboard-section-4")

    tab_to(page, "button[value='continue']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Section V.")

    values = {
        answer.question.code: answer.value
        for answer in Answer.objects.filter(submission__country=focal_point.country)
    }
    assert values["q10"] == {"answer": "yes"}
    assert values["q11"]["details"] == "Отчёты публикуются ежеквартально на data.egov.uz"
    assert [(row["name"], row["url"]) for row in values["q11"]["links"]] == [
        ("Open data portal", "data.egov.uz"),
        ("Statistics", "https://stat.uz/ru/"),
    ]
