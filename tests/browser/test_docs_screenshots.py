"""The README's screenshots (docs/screenshots/), taken from the pages as they are now.

Each test opens a page as its person would see it, checks what the picture is meant to
show, and overwrites its file; the review page's and the error's pictures are taken by
test_submit_and_clock.py and test_field_validation.py.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaire.models import ReviewComment, Submission
from tests.browser.conftest import audit
from tests.factories import answers_full, submission_full

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 1100}
SECTION_I = "/section/institutional-framework/"


def save(page: Page, name: str, *, full_page: bool = False) -> None:
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=full_page)


def section_one_started(edition, country) -> Submission:
    """A draft with section I answered but for its last questions (the section in progress)."""
    values = answers_full(edition)
    first = edition.sections.order_by("order").first()
    codes = list(first.questions.order_by("order").values_list("code", flat=True))
    started = {code: values[code] for code in codes[: len(codes) // 2]}
    return submission_full(
        edition=edition, country=country, status=Submission.Status.DRAFT, values=started
    )


def _desktop(contexts, user) -> Page:
    page = contexts.page(user=user)
    page.set_viewport_size(DESKTOP)
    return page


def test_docs_screenshot_overview_with_deadline(contexts, edition, country_a, focal_point):
    edition.deadline = timezone.now() + timedelta(days=23)
    edition.save(update_fields=["deadline"])
    section_one_started(edition, country_a)
    page = _desktop(contexts, focal_point)
    page.goto("/")

    expect(page.get_by_text("days left")).to_be_visible()
    expect(page.locator(".section-card .state-badge").first).to_have_text("In progress")
    audit(page, "docs-overview")
    save(page, "overview", full_page=True)


def test_docs_screenshot_section_links_and_contact(contexts, edition, country_a, focal_point):
    submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        values=answers_full(edition),
    )
    page = _desktop(contexts, focal_point)
    page.goto(SECTION_I)

    contact = page.locator("#question-q4")
    expect(contact.get_by_role("group").first).to_be_visible()
    # Question 3's link rows at the top, question 4's "Yes" and its contact below.
    page.evaluate(
        "() => window.scrollTo(0, document.querySelector('#question-q3')"
        ".getBoundingClientRect().top + window.scrollY - 16)"
    )
    save(page, "section-links-and-contact")


def test_docs_screenshot_returned_with_comment(contexts, edition, country_a, focal_point, reviewer):
    submission = submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.RETURNED,
        submitted_by=focal_point,
    )
    ReviewComment.objects.create(
        submission=submission,
        question=edition.questions.get(code="q1"),
        author=reviewer,
        text="Please add the address of the open data portal as a second link.",
        version=submission.version,
        shared_at=timezone.now(),  # shown to the country by the return
    )
    page = _desktop(contexts, focal_point)
    page.goto(SECTION_I)

    expect(page.get_by_text("Please add the address of the open data portal")).to_be_visible()
    save(page, "returned-with-comment")


def test_docs_screenshot_review_console(contexts, edition, country_a, focal_point, reviewer):
    submission = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    page = _desktop(contexts, reviewer)
    page.goto(reverse("admin:questionnaire_submission_change", args=[submission.pk]))

    expect(page.locator("dd.review-progress")).to_have_text("100 %")
    save(page, "review-console")


def test_docs_screenshot_section_arabic_rtl(contexts, edition, country_a, focal_point):
    section_one_started(edition, country_a)
    context = contexts.new(user=focal_point)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": contexts.base_url}]
    )
    page = context.new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(SECTION_I)

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    save(page, "section-arabic-rtl")


def test_docs_screenshot_autosave_conflict(contexts, edition, focal_point, contributor):
    first = _desktop(contexts, focal_point)
    second = _desktop(contexts, contributor)
    url = "/section/social-media/"
    first.goto(url)
    second.goto(url)

    def details(page: Page):
        return page.locator("#question-q14").get_by_label("Details and comments", exact=True)

    details(first).fill("The portal and the ministries' accounts answer citizens' questions.")
    expect(first.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    details(second).fill("Ответ второго сотрудника — the contributor's answer")
    expect(second.locator("#autosave-status")).to_contain_text("Nothing was saved", timeout=15_000)
    second.get_by_role("button", name="Save draft", exact=True).click()

    expect(second.locator("#question-q14 .conflict")).to_be_visible()
    save(second, "autosave-conflict", full_page=True)


@pytest.mark.parametrize(
    ("width", "viewport"),
    [("1280", DESKTOP), ("390", {"width": 390, "height": 1400})],
)
def test_docs_screenshot_section_carried_over(
    contexts, edition, country_a, focal_point, settings, width, viewport
):
    """Section II of the example 2022 edition, started from the 2020 answers: one answer
    changed (its 2020 answer open beside it, what was added and removed), the others
    awaiting confirmation with their Confirm buttons."""
    from questionnaire.filling.services import answers_save, submission_get_or_create
    from tests.questionnaire.editions.helpers import example_edition_load, make_edition_current

    submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    example = example_edition_load()
    make_edition_current(example)
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    answers_save(
        submission=draft,
        user=focal_point,
        values={"q6": {"details": "Digital Uzbekistan 2030, adopted in October 2020."}},
        base_version=draft.version,
    )
    page = contexts.page(user=focal_point)
    page.set_viewport_size(viewport)
    page.goto("/section/strategy-and-implementation/")
    q6 = page.locator("#question-q6")
    expect(q6.get_by_text("Carried over from 2020 — changed")).to_be_visible()
    q6.locator(".previous-answer > summary").click()
    expect(q6.locator(".previous-changes")).to_contain_text("adopted in October 2020")
    audit(page, f"docs-section-carried-over-{width}")
    save(page, f"section-carried-over-{width}")
