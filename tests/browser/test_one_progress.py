"""One progress in the browser: the official's pages and the reviewers' show the same figure.

questionnaire.progress is the one rule; these tests read what a person sees on each page
(the overview's bar and section badges, the review page, the reviewers' list and review page,
the staff dashboard), not the context the server rendered it from.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from questionnaire.models import Submission
from tests.factories import answers_full, submission_full

pytestmark = pytest.mark.browser

OVERVIEW = reverse("questionnaire:home")
REVIEW = reverse("questionnaire:review")
SUBMISSIONS_LIST = reverse("questionnaire:staff_submissions")
DASHBOARD = reverse("questionnaire:staff_dashboard")


def _percent(text: str) -> int:
    return int(re.search(r"(\d+)\s*%", text).group(1))


def overview_seen(page: Page) -> dict:
    page.goto(OVERVIEW)
    bar = page.locator("#overall-progress")
    done, total = int(bar.get_attribute("value")), int(bar.get_attribute("max"))
    expect(page.get_by_text(f"{done} of {total} questions answered")).to_be_visible()
    expect(page.locator("#progress-rule")).to_be_visible()
    badges = page.locator(".section-card .state-badge").all_inner_texts()
    return {"percent": done * 100 // total, "badges": badges}


def admin_review_seen(page: Page, submission: Submission) -> dict:
    page.goto(reverse("admin:questionnaire_submission_change", args=[submission.pk]))
    percent = _percent(page.locator("dd.review-progress").inner_text())
    badges = page.locator(".review-section-state").all_inner_texts()
    return {"percent": percent, "badges": badges}


def list_percent(page: Page, submission: Submission) -> int:
    page.goto(SUBMISSIONS_LIST)
    row = page.locator(f"#country-{submission.country.iso3}")
    return _percent(row.locator(".list-percent").inner_text())


def dashboard_percent(page: Page, submission: Submission) -> int:
    page.goto(DASHBOARD)
    row = (
        page.locator("tr")
        .filter(has_text=submission.country.name)
        .filter(has=page.locator(".review-progress"))
    )
    return _percent(row.first.locator(".review-progress").inner_text())


def everywhere(contexts, official, reviewer, submission) -> dict:
    official_page = contexts.page(user=official)
    reviewer_page = contexts.page(user=reviewer)
    overview = overview_seen(official_page)
    review = admin_review_seen(reviewer_page, submission)
    return {
        "overview": overview,
        "admin_review": review,
        "percents": [
            overview["percent"],
            review["percent"],
            list_percent(reviewer_page, submission),
            dashboard_percent(reviewer_page, submission),
        ],
        "official_page": official_page,
    }


def test_one_progress_full_msq_shows_100_and_complete_everywhere(
    contexts, edition, country_a, focal_point, reviewer
):
    submission = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)

    seen = everywhere(contexts, focal_point, reviewer, submission)

    assert seen["percents"] == [100, 100, 100, 100]
    sections = edition.sections.count()
    assert seen["overview"]["badges"] == ["Complete"] * sections
    assert seen["admin_review"]["badges"] == ["Complete"] * sections
    # The official's review page: nothing left to fix, Submit offered.
    page = seen["official_page"]
    page.goto(REVIEW)
    expect(page.locator("#submit-problems")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit the questionnaire")).to_be_visible()


def test_one_progress_half_filled_draft_same_percent_everywhere(
    contexts, edition, country_a, focal_point, reviewer
):
    values = answers_full(edition)
    sections = list(edition.sections.order_by("order"))
    first_half = sections[: len(sections) // 2]
    half = {
        question.code: values[question.code]
        for question in edition.questions.filter(section__in=first_half)
    }
    submission = submission_full(
        edition=edition, country=country_a, status=Submission.Status.DRAFT, values=half
    )

    seen = everywhere(contexts, focal_point, reviewer, submission)

    percents = seen["percents"]
    assert len(set(percents)) == 1, percents
    assert 0 < percents[0] < 100
    assert seen["overview"]["badges"] == seen["admin_review"]["badges"]
    assert "Complete" in seen["overview"]["badges"]
    assert "Not started" in seen["overview"]["badges"]
    # The official's review page lists what is left, Submit is not offered.
    page = seen["official_page"]
    page.goto(REVIEW)
    expect(page.locator("#submit-problems")).to_be_visible()
    expect(page.get_by_role("button", name="Submit the questionnaire")).to_have_count(0)
