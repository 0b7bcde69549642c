"""The reviewers' submissions list in chromium: 193 rows, no horizontal scroll at 1280 px
(the page and the table inside its box), sorting by a column, axe clean at 1280 and 390 px;
on a phone the table scrolls inside its own box, never the page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Country, User
from questionnaire.models import ReviewComment, Submission
from tests.browser.conftest import audit
from tests.conftest import wait_for
from tests.factories import answers_full, submission_full

pytestmark = pytest.mark.browser

LIST = reverse("questionnaire:staff_submissions")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def some_submissions(edition, reviewer):
    """Twelve countries in every status, with PDFs and comments; 181 not started."""
    values = answers_full(edition, links_per_question=1)
    half = dict(list(values.items())[: len(values) // 2])
    statuses = list(Submission.Status)
    for index, country in enumerate(Country.objects.order_by("name")[:24:2]):
        status = statuses[index % len(statuses)]
        submission = submission_full(
            edition=edition,
            country=country,
            status=status,
            values=half if status == Submission.Status.DRAFT else values,
        )
        if status != Submission.Status.DRAFT:
            submission.pdf.name = f"submissions/pdf/{country.iso3.lower()}-v1.pdf"
            submission.pdf_version = 1 if index % 3 else None
            submission.save()
        ReviewComment.objects.create(
            submission=submission, author=reviewer, text="Which ministry?", version=1
        )


def _widths(page) -> dict:
    return page.evaluate(
        """() => {
            const box = document.querySelector('.member-states-scroll');
            const page = document.scrollingElement;
            return {page: page.scrollWidth, pageClient: page.clientWidth,
                    box: box.scrollWidth, boxClient: box.clientWidth};
        }"""
    )


def test_member_states_list_193_rows_fit_1280_px(contexts, reviewer, some_submissions):
    page = contexts.page(user=reviewer)
    page.set_viewport_size(DESKTOP)
    page.goto(LIST)

    expect(page.locator("table.member-states-table tbody tr")).to_have_count(193)
    expect(page.locator("#country-ALB .col-status")).to_have_text("Not started")
    widths = _widths(page)
    assert widths["page"] <= widths["pageClient"], widths
    assert widths["box"] <= widths["boxClient"], widths
    # Every column is on screen: the last one's right edge inside the window.
    right = page.locator("thead th.col-comments").bounding_box()
    assert right["x"] + right["width"] <= DESKTOP["width"]
    audit(page, "member-states-desktop")

    # Sorting by progress, highest first: a header link, said to assistive technology.
    page.get_by_role("link", name="Progress").click()
    page.get_by_role("link", name="Progress").click()
    expect(page.locator("thead th.col-progress")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody tr").first.locator(".list-percent")).to_have_text("100 %")

    # Filters are a plain GET form.
    page.get_by_label("Status", exact=True).select_option("not_started")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.member-states-table tbody tr")).to_have_count(181)


def test_member_states_list_dates_in_the_reviewers_browser_zone(
    contexts, reviewer, some_submissions
):
    page = contexts.page(user=reviewer, timezone_id="Asia/Tashkent")
    page.goto(LIST)
    wait_for(lambda: User.objects.get(pk=reviewer.pk).time_zone == "Asia/Tashkent", timeout=15)

    page.reload()

    expect(page.get_by_text("Dates and times in Asia/Tashkent.")).to_be_visible()
    expect(page.locator("#country-DZA .list-time").first).to_have_text(
        re.compile(r"^\d\d:\d\d UTC\+05$")
    )


def test_member_states_list_on_a_phone_scrolls_the_table_in_its_box(
    contexts, reviewer, some_submissions
):
    page = contexts.page(user=reviewer)
    page.set_viewport_size(PHONE)
    page.goto(LIST)

    expect(page.locator("table.member-states-table tbody tr")).to_have_count(193)
    widths = _widths(page)
    assert widths["page"] <= PHONE["width"], widths
    # The table is wider than a phone: it scrolls inside its focusable box.
    assert widths["box"] > widths["boxClient"]
    audit(page, "member-states-phone")


def test_admin_submission_changelist_fits_1280_px(contexts, reviewer, some_submissions):
    """The admin's list (kept for exporting selected rows) no longer hides columns behind a
    horizontal scroll beside its filters."""
    page = contexts.page(user=reviewer)
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("admin:questionnaire_submission_changelist"))

    expect(page.locator("#result_list tbody tr")).to_have_count(12)
    widths = page.evaluate(
        """() => {
            const box = document.querySelector('#changelist .results');
            const page = document.scrollingElement;
            return {page: page.scrollWidth, pageClient: page.clientWidth,
                    box: box.scrollWidth, boxClient: box.clientWidth};
        }"""
    )
    assert widths["page"] <= widths["pageClient"], widths
    assert widths["box"] <= widths["boxClient"], widths
    expect(page.get_by_role("link", name="Submissions by Member State")).to_be_visible()
    audit(page, "admin-submissions-desktop")
