"""Driving the section pages like an official: helpers shared by the browser tests.

Locators go through what a person sees: the question's fieldset
(#question-<code>), the part inside it (#<code>-<part>), and field labels.
"""

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import AUTOSAVE_TIMEOUT_MS


def part(page: Page, code: str, name: str) -> Locator:
    return page.locator(f"#{code}-{name}")


def visible_rows(page: Page, code: str) -> Locator:
    return part(page, code, "links").locator(".link-row:not(.d-none)")


def fill_links(page: Page, code: str, rows: list[tuple[str, str, str]]) -> None:
    """Type link rows, adding rows with "Add another link" as needed."""
    for index, (name, url, note) in enumerate(rows):
        if visible_rows(page, code).count() <= index:
            part(page, code, "links").get_by_role("button", name="Add another link").click()
        row = visible_rows(page, code).nth(index)
        row.get_by_label("Name", exact=True).fill(name)
        row.get_by_label("URL", exact=True).fill(url)
        if note:
            row.get_by_label("Note", exact=True).fill(note)


def remove_link(page: Page, code: str, index: int) -> None:
    visible_rows(page, code).nth(index).get_by_role("button", name="Remove").click()


def choose(page: Page, code: str, label: str, *, part_name: str = "answer") -> None:
    """Tick a radio button or a checkbox by its label."""
    part(page, code, part_name).get_by_label(label, exact=True).check()


# A text part's box is labelled by its part's caption ("details": "Details and comments");
# a question's only "answer" part keeps "Answer" for screen readers (its question shows).
TEXT_LABELS = {"details": "Details and comments"}


def fill_text(page: Page, code: str, text: str, *, part_name: str = "details") -> None:
    label = TEXT_LABELS.get(part_name, "Answer")
    part(page, code, part_name).get_by_label(label, exact=True).fill(text)


def fill_contact(page: Page, code: str, contact: dict[str, str], *, part_name="contact") -> None:
    labels = {
        "name": "Name",
        "title": "Title",
        "organization": "Organization",
        "emails": "E-mail addresses",
        "phone": "Phone",
    }
    for field, value in contact.items():
        part(page, code, part_name).get_by_label(labels[field], exact=True).fill(value)


def fill_percentage(page: Page, code: str, value: str, comment: str = "") -> None:
    answer = part(page, code, "answer")
    answer.get_by_label("Percentage (0 to 100, decimals allowed)").fill(value)
    if comment:
        answer.get_by_label("Comment", exact=True).fill(comment)


def wait_autosaved(page: Page) -> None:
    expect(page.locator("#autosave-status")).to_contain_text(
        "Saved at", timeout=AUTOSAVE_TIMEOUT_MS
    )


def save_and_continue(page: Page, next_heading: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(next_heading)
