"""The history in words: an official edits a link, a reviewer reads the change in the history."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from questionnaire.filling.services import answers_save
from questionnaire.models import Submission
from tests.browser.conftest import audit
from tests.browser.filling import visible_rows
from tests.conftest import wait_for
from tests.factories import OfficialFactory, answers_full, submission_full

pytestmark = pytest.mark.browser

SECTION_I = "/section/institutional-framework/"
NEW_URL = "https://egov.uz/portal"


@pytest.fixture
def draft(edition, country_a):
    return submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)


def _more_history(draft, edition) -> None:
    """A contributor's changes of other kinds: an option unticked, a long text reworded."""
    contributor = OfficialFactory(country=draft.country, role="contributor")
    details = answers_full(edition)["q6"]["details"]
    draft.refresh_from_db()
    answers_save(
        submission=draft,
        user=contributor,
        values={
            "q15": {"answer": {"selected": ["ai", "iot"], "other": ""}},
            "q6": {"details": details.replace("q6", "q6 (2021)", 1) + " Updated in 2021."},
        },
        base_version=draft.version,
    )


def test_submission_history_shows_an_officials_link_change_in_words(
    contexts, edition, draft, focal_point, reviewer
):
    _more_history(draft, edition)
    official = contexts.page(user=focal_point)
    official.goto(SECTION_I)
    row = visible_rows(official, "q1").first
    old_url = row.get_by_label("URL", exact=True).input_value()
    name = row.get_by_label("Name", exact=True).input_value()
    row.get_by_label("URL", exact=True).fill(NEW_URL)
    official.get_by_role("button", name="Save draft", exact=True).click()
    answer = draft.answers.filter(question__code="q1")
    wait_for(lambda: answer.get().value["links"][0]["url"] == NEW_URL, timeout=20)

    page = contexts.page(user=reviewer)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("admin:questionnaire_submission_history", args=[draft.pk]))
        entry = page.locator(".history-entry").first
        expect(entry).to_contain_text(
            f"Changed the URL of link “{name}” from {old_url} to {NEW_URL}"
        )
        expect(entry.locator("del")).to_have_text(old_url)
        expect(entry.locator("ins")).to_have_text(NEW_URL)
        expect(page.get_by_text("Unticked", exact=False).first).to_be_visible()
        audit(page, f"submission-history-{width}")

    # Filtered by section: the contributor's q15 change is in section VII, not in I.
    page.get_by_label("Section").select_option(label="I. Institutional Framework")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator(".history-entry").first).to_contain_text(NEW_URL)
    expect(page.get_by_text("Unticked")).to_have_count(0)
