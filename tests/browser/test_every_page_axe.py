"""axe on every page of the portal, at 1280 px and on a 390 px phone: 0 serious or critical.

Every page a person meets (the sign-in and password pages, the officials' pages, the
staff console, the Django admin's) is opened as that person would, audited (axe, JavaScript
errors, Content-Security-Policy refusals: conftest.audit) and, on the officials' pages at
390 px, checked for a page wider than the phone (a horizontal scroll).
All findings of a run are reported together.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaire.editions.lifecycle import edition_transition
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.states import EditionAction
from questionnaire.models import ReviewComment, Submission
from questionnaire.review.services import submission_return
from tests.browser.conftest import audit
from tests.browser.filling import fill_links
from tests.factories import submission_full

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SECTION_I = "/section/institutional-framework/"

ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/password_reset/", "/accessibility/", "/privacy/"]
FOCAL_POINT_PAGES = [
    "/",
    SECTION_I,
    "/review/",
    "/submission/",
    "/accounts/team/",
    "/accounts/account/",
    "/accessibility/",
    "/privacy/",
]
CONTRIBUTOR_PAGES = ["/review/"]


def reviewer_pages(submission: Submission) -> list[str]:
    return [
        reverse("questionnaire:staff_submissions"),
        reverse("questionnaire:staff_dashboard"),
        reverse("questionnaire:staff_exports"),
        reverse("questionnaire:staff_questions"),
        reverse("questionnaire:staff_question_across", args=["q1"]),
        reverse("questionnaire:staff_reminders") + "?scope=all",
        reverse("questionnaire:staff_invitations"),
        reverse("admin:index"),
        reverse("admin:questionnaire_submission_changelist"),
        reverse("admin:questionnaire_submission_change", args=[submission.pk]),
        reverse("admin:questionnaire_submission_history", args=[submission.pk]),
    ]


class Findings:
    """Every page's failures of a run, so that one run lists them all."""

    def __init__(self, width: str):
        self.width = width
        self.found: list[str] = []

    def check(self, page: Page, url: str, *, no_horizontal_scroll: bool, name: str = "") -> None:
        if url:
            page.goto(url)
        name = f"axe-{self.width}-{name or url.strip('/').replace('/', '-') or 'overview'}"
        try:
            audit(page, name)
        except AssertionError as failure:
            self.found.append(str(failure))
        if no_horizontal_scroll:
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            viewport = page.viewport_size["width"]
            if scroll > viewport:
                self.found.append(
                    f"{name} ({page.url}): {scroll} px wide on a {viewport} px screen"
                )

    def assert_none(self) -> None:
        assert not self.found, "\n\n".join(self.found)


def _page(contexts, width: str, user=None) -> Page:
    page = contexts.page(user=user)
    # Resized after opening: Contexts.new sets the desktop viewport itself.
    page.set_viewport_size(WIDTHS[width])
    return page


@pytest.fixture
def draft(edition, country_a):
    return submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_axe_anonymous_pages(contexts, edition, width):
    findings = Findings(width)
    page = _page(contexts, width)
    for url in ANONYMOUS_PAGES:
        findings.check(page, url, no_horizontal_scroll=True, name=f"anonymous-{url}")
    findings.assert_none()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_axe_officials_pages(contexts, edition, draft, focal_point, contributor, width):
    findings = Findings(width)
    page = _page(contexts, width, focal_point)
    for url in FOCAL_POINT_PAGES:
        findings.check(page, url, no_horizontal_scroll=True)

    # A section page with an error: a bad web address saved, shown at its field.
    page.goto(SECTION_I)
    fill_links(page, "q1", [("National portal", "portal dot gov", "")])
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    findings.check(page, "", no_horizontal_scroll=True, name="section-with-error")

    contributor_page = _page(contexts, width, contributor)
    for url in CONTRIBUTOR_PAGES:
        findings.check(contributor_page, url, no_horizontal_scroll=True, name=f"contributor-{url}")
    findings.assert_none()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_axe_reviewers_pages(contexts, edition, draft, focal_point, reviewer, width):
    # A deadline and an official, so that the reminder's confirmation lists a recipient.
    edition.deadline = timezone.now() + timedelta(days=30)
    edition.save(update_fields=["deadline"])
    findings = Findings(width)
    page = _page(contexts, width, reviewer)
    for url in reviewer_pages(draft):
        # The Django admin's own wide tables scroll on a phone: only axe is asked of them.
        findings.check(page, url, no_horizontal_scroll=False)
    findings.assert_none()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_axe_edition_lifecycle_pages(
    contexts, edition, draft, focal_point, reviewer, width
):
    """The lifecycle's confirmation pages, the page between editions, and the past edition's
    read-only page with the overview that lists it (msq-2022-example open)."""
    findings = Findings(width)
    example = edition_load(path=edition_path("msq-2022-example")).edition
    reviewer_page = _page(contexts, width, reviewer)
    for action, target in [("close", edition), ("open", example), ("archive", example)]:
        url = reverse("admin:questionnaire_edition_lifecycle", args=[target.pk, action])
        findings.check(reviewer_page, url, no_horizontal_scroll=False, name=f"edition-{action}")
    findings.check(
        reviewer_page,
        reverse("admin:questionnaire_edition_changelist"),
        no_horizontal_scroll=False,
    )

    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)
    official = _page(contexts, width, focal_point)
    findings.check(official, "/", no_horizontal_scroll=True, name="no-open-edition")
    edition_transition(edition=example, action=EditionAction.OPEN, actor=reviewer)
    findings.check(official, "/", no_horizontal_scroll=True, name="overview-with-past-editions")
    findings.check(official, "/past/msq-2020/", no_horizontal_scroll=True)
    findings.assert_none()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_axe_comment_threads(contexts, edition, country_a, focal_point, reviewer, width):
    # A returned submission with an open thread answered by the country, on both sides' pages.
    submitted = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    returned = submission_return(
        submission=submitted,
        reviewer=reviewer,
        comments={"q3": "Name the ministry in charge.", "": "One point to revise."},
        base_version=submitted.version,
    )
    thread = returned.review_comments.get(question__code="q3")
    ReviewComment.objects.create(
        submission=returned,
        question=thread.question,
        parent=thread,
        author=focal_point,
        author_side=ReviewComment.Side.COUNTRY,
        text="The Ministry of Digital Technologies.",
        version=returned.version,
    )
    findings = Findings(width)
    page = _page(contexts, width, focal_point)
    for url in ["/", SECTION_I, reverse("questionnaire:thread", args=[thread.pk])]:
        findings.check(page, url, no_horizontal_scroll=True, name=f"threads-{url}")
    desk = _page(contexts, width, reviewer)
    review_url = reverse("admin:questionnaire_submission_change", args=[returned.pk])
    findings.check(desk, review_url, no_horizontal_scroll=False, name="threads-review-page")
    findings.assert_none()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_axe_carried_over_pages(
    contexts, edition, country_a, focal_point, reviewer, settings, width
):
    """A new edition started from the 2020 answers (issue 15): the overview's counts, a section
    with carried-over marks (one confirmed, one changed, the rest awaiting) and its earlier
    answers open, the review pages."""
    from tests.questionnaire.editions.helpers import example_edition_load, make_edition_current

    submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    make_edition_current(example_edition_load())
    findings = Findings(width)
    page = _page(contexts, width, focal_point)
    findings.check(page, "/", no_horizontal_scroll=True, name="carried-start")
    page.get_by_role("button", name="Start with my 2020 answers").click()
    findings.check(page, "", no_horizontal_scroll=True, name="carried-overview")
    page.goto(SECTION_I)
    page.locator("#question-q1").get_by_role("button", name="Confirm").click()
    fill_links(page, "q3", [("Ministry of Digital Technologies", "https://digital.uz/", "")])
    page.get_by_role("button", name="Save draft").click()
    for summary in page.locator(".previous-answer > summary").all()[:3]:
        summary.click()
    findings.check(page, "", no_horizontal_scroll=True, name="carried-section")
    findings.check(page, "/review/", no_horizontal_scroll=True, name="carried-review")
    reviewer_page = _page(contexts, width, reviewer)
    submission = Submission.objects.get(country=country_a, edition__code="msq-2022-example")
    findings.check(
        reviewer_page,
        reverse("admin:questionnaire_submission_change", args=[submission.pk]),
        no_horizontal_scroll=False,
        name="carried-admin-review",
    )
    findings.assert_none()
