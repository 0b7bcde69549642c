"""The officials' pages of the reviewers' comment threads, and the reviewers' thread actions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire.models import ReviewComment, Submission, SubmissionEvent
from questionnaire.review.comments import thread_resolve
from questionnaire.review.services import review_comments_add, submission_return
from tests.factories import submission_full

SECTION_I = "/section/institutional-framework/"


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def returned(edition, country_a, focal_point, reviewer):
    submitted = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    return submission_return(
        submission=submitted,
        reviewer=reviewer,
        comments={"q3": "Name the ministry in charge.", "": "Two points to check."},
        base_version=submitted.version,
    )


@pytest.fixture
def thread(returned):
    return returned.review_comments.get(question__code="q3")


@pytest.fixture
def official_client(client, focal_point):
    client.force_login(focal_point)
    return client


def _thread_url(thread) -> str:
    return reverse("questionnaire:thread", args=[thread.pk])


def test_overview_lists_open_threads_with_links_to_their_questions(official_client, thread):
    text = page(official_client.get("/"))

    assert "2 open comments from the reviewers" in text
    assert "Name the ministry in charge." in text
    assert f'href="{SECTION_I}#question-q3"' in text
    assert "1 open comment" in text  # on section I's line


def test_section_page_shows_thread_with_reply_form_outside_the_answers_form(
    official_client, thread
):
    text = page(official_client.get(SECTION_I))

    assert "Name the ministry in charge." in text
    assert f'form="thread-form-{thread.pk}"' in text
    # The reply's own form follows the section's form (a form cannot hold another).
    assert text.index('id="section-form"') < text.index(f'id="thread-form-{thread.pk}"')


def test_official_reply_from_section_page_comes_back_to_the_thread(official_client, thread):
    form = page(official_client.get(SECTION_I)).split(f'id="thread-form-{thread.pk}"')[1]
    back = re.search(r'name="next" value="([^"]+)"', form).group(1)
    response = official_client.post(
        _thread_url(thread), {"text": "The Ministry of Digital Technologies.", "next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{SECTION_I}#thread-{thread.pk}"
    assert thread.replies.get().text == "The Ministry of Digital Technologies."
    text = page(official_client.get(SECTION_I))
    assert "The Ministry of Digital Technologies." in text


def test_official_reply_next_to_another_site_is_ignored(official_client, thread):
    response = official_client.post(
        _thread_url(thread), {"text": "Done.", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == f"{SECTION_I}#question-q3"


@pytest.mark.parametrize(
    ("text", "error"),
    [("", "Write your reply"), ("a" * 5_001, "the limit is 5000"), ("a\x00b", "control")],
)
def test_official_reply_bad_input_said_on_the_page_and_kept(official_client, thread, text, error):
    response = official_client.post(_thread_url(thread), {"text": text})

    assert response.status_code == 400
    body = page(response)
    assert 'role="alert"' in body and error in body
    if "\x00" not in text:
        assert f">{text}</textarea>" in body
    assert not thread.replies.exists()


def test_thread_of_another_country_is_404_and_nothing_written(client, outsider, thread):
    client.force_login(outsider)
    events = SubmissionEvent.objects.count()

    assert client.get(_thread_url(thread)).status_code == 404
    assert client.post(_thread_url(thread), {"text": "Not mine."}).status_code == 404
    assert not thread.replies.exists()
    assert SubmissionEvent.objects.count() == events
    assert "Name the ministry in charge." not in page(client.get("/"))


def test_thread_not_yet_shown_to_the_country_is_404(official_client, returned, reviewer):
    Submission.objects.filter(pk=returned.pk).update(status=Submission.Status.SUBMITTED)
    returned.refresh_from_db()
    (draft,) = review_comments_add(
        submission=returned, reviewer=reviewer, comments={"q7": "Draft for the next return."}
    )

    assert official_client.get(_thread_url(draft)).status_code == 404
    assert "Draft for the next return." not in page(official_client.get("/submission/"))


def test_thread_page_while_submitted_offers_the_reply(official_client, thread, returned):
    Submission.objects.filter(pk=returned.pk).update(status=Submission.Status.SUBMITTED)

    overview = page(official_client.get("/"))
    assert f'href="{_thread_url(thread)}"' in overview
    text = page(official_client.get(_thread_url(thread)))
    assert "Your reply (the reviewers are told by e-mail)" in text
    response = official_client.post(_thread_url(thread), {"text": "Corrected in the answers."})
    assert response.status_code == 302


def test_resolved_thread_leaves_the_overview_and_is_marked_on_the_question(
    official_client, thread, reviewer
):
    thread_resolve(thread=thread, reviewer=reviewer)

    overview = page(official_client.get("/"))
    assert "1 open comment from the reviewers" in overview
    section = page(official_client.get(SECTION_I))
    assert "Resolved by the reviewers on" in section
    assert f'id="thread-form-{thread.pk}"' not in section


def test_reviewer_cannot_use_the_officials_thread_page(client, reviewer, thread):
    client.force_login(reviewer)
    assert client.get(_thread_url(thread)).status_code == 404


# --- The reviewers' side (the review page in the admin) ---------------------------------


def _admin_thread_url(thread, submission=None) -> str:
    return reverse(
        "admin:questionnaire_submission_thread",
        args=[(submission or thread.submission).pk, thread.pk],
    )


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def test_review_page_shows_threads_section_counts_and_history_link(reviewer_client, thread):
    url = reverse("admin:questionnaire_submission_change", args=[thread.submission_id])
    text = page(reviewer_client.get(url))

    assert f'id="thread-{thread.pk}"' in text
    assert re.search(r"I\. Institutional Framework</a>\s*<span[^>]*>.*?1 open", text, re.S)
    assert reverse("admin:questionnaire_submission_history", args=[thread.submission_id]) in text
    # A comment opened on demand: each question's box sits in a closed <details>.
    assert '<details class="rv-add">' in text


def test_reviewer_reply_resolve_and_reopen_from_the_review_page(reviewer_client, thread):
    url = _admin_thread_url(thread)

    response = reviewer_client.post(url, {"action": "reply", "text": "Which ministry exactly?"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#thread-{thread.pk}")
    assert thread.replies.get().author_side == ReviewComment.Side.REVIEWER

    reviewer_client.post(url, {"action": "resolve"})
    thread.refresh_from_db()
    assert thread.is_resolved

    reviewer_client.post(url, {"action": "reopen"})
    thread.refresh_from_db()
    assert not thread.is_resolved


def test_reviewer_reply_empty_said_on_the_review_page(reviewer_client, thread):
    response = reviewer_client.post(_admin_thread_url(thread), {"action": "reply", "text": " "})

    assert response.status_code == 400
    assert "Write your reply before sending it." in page(response)
    assert not thread.replies.exists()


def test_reviewer_thread_of_another_submission_is_404(reviewer_client, thread, edition, country_b):
    other = submission_full(edition=edition, country=country_b)
    response = reviewer_client.post(_admin_thread_url(thread, other), {"action": "resolve"})

    assert response.status_code == 404
    thread.refresh_from_db()
    assert not thread.is_resolved


def test_reviewer_thread_view_get_not_allowed_and_officials_refused(
    client, reviewer_client, thread, focal_point
):
    assert reviewer_client.get(_admin_thread_url(thread)).status_code == 405
    client.force_login(focal_point)
    response = client.post(_admin_thread_url(thread), {"action": "resolve"})
    assert response.status_code in {302, 403}  # the admin sends officials to its sign-in
    thread.refresh_from_db()
    assert not thread.is_resolved


def _owner_token(client) -> str:
    return page(client.get("/")).split('name="owner" value="')[1].split('"')[0]


def test_reply_after_session_expired_is_kept_for_the_same_official(
    official_client, thread, focal_point
):
    owner = _owner_token(official_client)
    official_client.logout()

    response = official_client.post(
        _thread_url(thread), {"text": "Typed while signed out.", "owner": owner}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not thread.replies.exists()

    official_client.force_login(focal_point)
    text = page(official_client.get(_thread_url(thread)))
    assert ">Typed while signed out.</textarea>" in text
    assert "check it, then send it" in text


def test_reply_after_session_expired_never_reaches_another_official(
    official_client, thread, contributor
):
    owner = _owner_token(official_client)
    official_client.logout()
    official_client.post(_thread_url(thread), {"text": "Mine only.", "owner": owner})

    official_client.force_login(contributor)
    assert "Mine only." not in page(official_client.get(_thread_url(thread)))


def _threads_with_replies(submission, reviewer, official, count: int) -> None:
    for code in ["q6", "q7", "q8", "q9"][:count]:
        (thread,) = review_comments_add(
            submission=submission, reviewer=reviewer, comments={code: f"About {code}."}
        )
        ReviewComment.objects.create(
            submission=submission,
            question=thread.question,
            parent=thread,
            author=official,
            author_side=ReviewComment.Side.COUNTRY,
            text="Answered.",
            version=submission.version,
        )


@pytest.mark.parametrize("who", ["official", "reviewer"])
def test_thread_pages_query_count_same_for_1_and_3_threads(
    client, returned, reviewer, focal_point, django_assert_num_queries, who
):
    user = focal_point if who == "official" else reviewer
    url = (
        "/"
        if who == "official"
        else reverse("admin:questionnaire_submission_change", args=[returned.pk])
    )
    client.force_login(user)
    _threads_with_replies(returned, reviewer, focal_point, 1)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _threads_with_replies(returned, reviewer, focal_point, 3)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_review_comments_list_names_each_side(reviewer_client, thread, focal_point, returned):
    _threads_with_replies(returned, thread.author, focal_point, 1)

    response = reviewer_client.get(reverse("admin:questionnaire_reviewcomment_changelist"))

    assert response.status_code == 200
    assert "Country official" in page(response)
