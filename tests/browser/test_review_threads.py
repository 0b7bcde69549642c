"""Two-way comments in the browser, and the review page's layout.

A reviewer returns a submission with a comment on a question; the official sees the open
thread on the overview and answers it on the question; the reviewer sees the reply and
resolves the thread; the official sees it resolved. Then the review page's height and its
sticky decisions at 1280 px, and screenshots at 1280 and 390 px.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from questionnaire.models import ReviewComment, Submission
from questionnaire.review.services import submission_return
from tests.browser.conftest import audit, screenshot
from tests.factories import submission_full

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SECTION_I = "/section/institutional-framework/"


def _review_url(submission: Submission) -> str:
    return reverse("admin:questionnaire_submission_change", args=[submission.pk])


def _page(contexts, user, viewport=DESKTOP) -> Page:
    page = contexts.page(user=user)
    page.set_viewport_size(viewport)
    return page


@pytest.fixture
def submitted(edition, country_a, focal_point):
    return submission_full(edition=edition, country=country_a, submitted_by=focal_point)


@pytest.fixture
def mail_in_process(emails_in_process, settings):
    # The e-mail tasks run in this process (the live server's thread): mail.outbox sees them.
    return mail.outbox


def test_review_threads_round_trip(contexts, submitted, focal_point, reviewer, mail_in_process):
    # The reviewer opens a comment on question 3 on demand and returns the submission with it.
    desk = _page(contexts, reviewer)
    desk.goto(_review_url(submitted))
    question = desk.locator("#q-q3")
    expect(question.get_by_label("Your comment on question 3. (q3)")).to_be_hidden()
    question.get_by_text("Comment on question 3.", exact=True).click()
    question.get_by_label("Your comment on question 3. (q3)").fill(
        "Name the ministry in charge of e-government."
    )
    desk.get_by_role("button", name="Return to the country with these comments").click()
    expect(desk.get_by_text("Returned to Uzbekistan")).to_be_visible()
    expect(desk.locator("#q-q3 .rv-badge-open")).to_have_text("Open")

    # The official sees the open thread on the overview, with a link to its question.
    official = _page(contexts, focal_point)
    official.goto("/")
    open_threads = official.locator("#open-threads")
    expect(open_threads.get_by_role("heading")).to_have_text("1 open comment from the reviewers")
    expect(open_threads).to_contain_text("Name the ministry in charge of e-government.")
    audit(official, "threads-overview-open")
    open_threads.get_by_role("link", name="Question 3.").click()
    expect(official).to_have_url(re.compile(r"/section/institutional-framework/#question-q3$"))

    # ... and replies beside the question, on its section page.
    thread = official.locator("#question-q3 .thread")
    thread.get_by_text("Reply to this comment").click()
    thread.get_by_label("Your reply (the reviewers are told by e-mail)").fill(
        "It is the Ministry of Digital Technologies."
    )
    audit(official, "threads-section-with-thread")
    thread.get_by_role("button", name="Send reply").click()
    expect(official.get_by_text("Your reply is sent.")).to_be_visible()
    expect(official.locator("#question-q3 .thread")).to_contain_text(
        "It is the Ministry of Digital Technologies."
    )
    # The reviewer is told by e-mail, and the answers were not touched (no save, no stale page).
    assert any(reviewer.email in message.to for message in mail.outbox)
    reply = ReviewComment.objects.get(parent__isnull=False)
    assert reply.author == focal_point and reply.author_side == "country"

    # The reviewer sees the reply under the question and resolves the thread.
    desk.goto(_review_url(submitted))
    reviewer_thread = desk.locator("#q-q3 .rv-thread")
    expect(reviewer_thread).to_contain_text("It is the Ministry of Digital Technologies.")
    expect(reviewer_thread).to_contain_text("Country official")
    audit(desk, "threads-review-page")
    reviewer_thread.get_by_role("button", name="Resolve").click()
    expect(desk.get_by_text("The thread is resolved.")).to_be_visible()
    expect(desk.locator("#q-q3 .rv-badge-resolved")).to_have_text("Resolved")

    # The official sees it resolved: no longer open on the overview, marked on the question.
    official.goto("/")
    expect(official.locator("#open-threads")).to_have_count(0)
    official.goto(SECTION_I)
    expect(official.locator("#question-q3 .thread")).to_contain_text("Resolved")
    expect(
        official.locator("#question-q3 .thread").get_by_text("Reply to this comment")
    ).to_have_count(0)


def test_review_page_is_short_and_keeps_decisions_at_hand(contexts, submitted, reviewer):
    page = _page(contexts, reviewer)
    page.goto(_review_url(submitted))
    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"review page height at 1280 px, full submission: {height} px")
    # 14,586 px before the redesign (a comment box under each of 39 questions).
    assert height < 9_000
    # The decisions and the section navigation stay on screen at the bottom of the answers.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    expect(page.get_by_role("button", name="Accept")).to_be_in_viewport()
    expect(page.get_by_role("navigation", name="Sections of the questionnaire")).to_be_in_viewport()
    expect(page.get_by_role("link", name="History of this submission").first).to_be_visible()


def test_review_threads_screenshots(contexts, submitted, focal_point, reviewer):
    submitted = submission_return(
        submission=submitted,
        reviewer=reviewer,
        comments={"q3": "Name the ministry in charge.", "": "Thank you; one point to revise."},
        base_version=submitted.version,
    )
    thread = submitted.review_comments.get(question__code="q3")
    ReviewComment.objects.create(
        submission=submitted,
        question=thread.question,
        parent=thread,
        author=focal_point,
        author_side=ReviewComment.Side.COUNTRY,
        text="It is the Ministry of Digital Technologies.",
        version=submitted.version,
    )
    for name, viewport in {"1280": DESKTOP, "390": PHONE}.items():
        desk = _page(contexts, reviewer, viewport)
        desk.goto(_review_url(submitted) + "#q-q3")
        screenshot(desk, f"threads-review-page-{name}")
        official = _page(contexts, focal_point, viewport)
        official.goto(SECTION_I)
        official.locator("#question-q3").scroll_into_view_if_needed()
        screenshot(official, f"threads-section-{name}")
        official.goto("/")
        screenshot(official, f"threads-overview-{name}")
        if name == "390":
            width = official.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390
