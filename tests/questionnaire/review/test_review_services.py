"""The review workflow's services, and the return-for-revision round trip with the country."""

import pytest
from django.core import mail
from django.urls import reverse

from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.filling.submitting import consent_set, submission_submit
from questionnaire.models import ReviewComment, Submission, SubmissionEvent
from questionnaire.review.services import (
    ReviewError,
    review_comments_add,
    review_email_send,
    submission_accept,
    submission_reopen,
    submission_return,
)
from tests.factories import answers_full, submission_full

Status = Submission.Status
Kind = SubmissionEvent.Kind


@pytest.fixture
def submitted(edition, country_a, focal_point):
    return submission_full(edition=edition, country=country_a, submitted_by=focal_point)


def test_return_for_revision_round_trip(client, edition, country_a, focal_point, reviewer):
    # The country fills in and submits through the filling services.
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    submission = answers_save(
        submission=submission,
        user=focal_point,
        values=answers_full(edition),
        base_version=submission.version,
    )
    submission = consent_set(submission=submission, user=focal_point, consent="granted")
    submission = submission_submit(submission=submission, user=focal_point)
    first_submitted_version = submission.submitted_version

    # The reviewer returns it with a comment on q3 and one on the whole questionnaire.
    submission = submission_return(
        submission=submission,
        reviewer=reviewer,
        comments={"q3": "Name the ministry in charge.", "": "Two points to check."},
        base_version=submission.version,
    )
    assert submission.status == Status.RETURNED
    assert submission.is_editable_by_country

    # The country sees the comment beside q3, on the section page.
    client.force_login(focal_point)
    page = client.get(
        reverse("questionnaire:section", args=["institutional-framework"])
    ).content.decode()
    assert "Name the ministry in charge." in page
    assert "Two points to check." in client.get(reverse("questionnaire:home")).content.decode()
    # Anchored on the question blocks' ids: a bare "q4" can occur by chance in
    # the random CSRF token, which made this assertion flaky.
    assert (
        page.index('id="question-q3"')
        < page.index("Name the ministry in charge.")
        < page.index('id="question-q4"')
    )

    # It edits the answer and submits again: a new version.
    values = {"q3": {"links": [{"name": "Ministry of Digital Technologies", "url": "digital.uz"}]}}
    submission = answers_save(
        submission=submission, user=focal_point, values=values, base_version=submission.version
    )
    submission = submission_submit(submission=submission, user=focal_point)
    assert submission.status == Status.SUBMITTED
    assert submission.submitted_version > first_submitted_version
    assert submission.answers.get(question__code="q3").value["links"][0]["url"] == "digital.uz"

    # The history tells the whole story, each step with its author.
    events = [(event.kind, event.actor) for event in submission.events.order_by("created_at", "id")]
    kinds = [kind for kind, _actor in events]
    assert kinds.count(Kind.SUBMITTED) == 2
    returned_at = kinds.index(Kind.RETURNED)
    assert kinds.index(Kind.SUBMITTED) < returned_at
    assert kinds[returned_at + 1 : returned_at + 3] == [Kind.COMMENTED, Kind.COMMENTED]
    assert Kind.ANSWERS_SAVED in kinds[returned_at + 3 :]
    assert kinds[-1] == Kind.SUBMITTED
    assert all(
        actor == reviewer for kind, actor in events if kind in {Kind.RETURNED, Kind.COMMENTED}
    )
    assert all(actor == focal_point for kind, actor in events if kind == Kind.SUBMITTED)


def test_return_without_comment_refused(submitted, reviewer):
    with pytest.raises(ReviewError):
        submission_return(submission=submitted, reviewer=reviewer, comments={"q3": "  "})

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not submitted.events.exists()


def test_return_unknown_question_refused_and_nothing_saved(submitted, reviewer):
    with pytest.raises(ReviewError):
        submission_return(
            submission=submitted, reviewer=reviewer, comments={"q99": "?", "q3": "Fine"}
        )

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not ReviewComment.objects.exists()


def test_return_over_long_comment_refused_not_cut(submitted, reviewer):
    with pytest.raises(ReviewError, match="limit"):
        submission_return(submission=submitted, reviewer=reviewer, comments={"q3": "x" * 5001})

    assert not ReviewComment.objects.exists()


def test_return_of_draft_refused(edition, country_a, reviewer):
    draft = submission_full(edition=edition, country=country_a, status=Status.DRAFT)

    with pytest.raises(ReviewError):
        submission_return(submission=draft, reviewer=reviewer, comments={"": "Please finish."})

    assert Submission.objects.get().status == Status.DRAFT


def test_accept_bumps_version_and_records_reviewer(submitted, reviewer):
    accepted = submission_accept(submission=submitted, reviewer=reviewer, base_version=1)

    assert (accepted.status, accepted.version) == (Status.ACCEPTED, 2)
    event = accepted.events.get()
    assert (event.kind, event.actor, event.version) == (Kind.ACCEPTED, reviewer, 2)


def test_accept_stale_version_refused(submitted, reviewer):
    with pytest.raises(ReviewError, match="changed"):
        submission_accept(submission=submitted, reviewer=reviewer, base_version=0)

    assert Submission.objects.get().status == Status.SUBMITTED


def test_accept_twice_refused(submitted, reviewer):
    submission_accept(submission=submitted, reviewer=reviewer)

    with pytest.raises(ReviewError):
        submission_accept(submission=submitted, reviewer=reviewer)

    assert Submission.objects.get().events.count() == 1


def test_accepted_can_be_returned(submitted, reviewer):
    accepted = submission_accept(submission=submitted, reviewer=reviewer)

    returned = submission_return(
        submission=accepted, reviewer=reviewer, comments={"q6": "One more detail."}
    )

    assert returned.status == Status.RETURNED
    assert returned.review_comments.get().version == accepted.version


def test_reopen_makes_draft_and_keeps_reason(submitted, reviewer):
    reopened = submission_reopen(
        submission=submitted, reviewer=reviewer, reason="Asked by the focal point."
    )

    assert reopened.status == Status.DRAFT
    assert reopened.events.get().message == "Asked by the focal point."


def test_reopen_without_reason_refused(submitted, reviewer):
    with pytest.raises(ReviewError):
        submission_reopen(submission=submitted, reviewer=reviewer, reason=" ")

    assert Submission.objects.get().status == Status.SUBMITTED


def test_comment_add_on_question_records_event(submitted, reviewer, edition):
    question = edition.questions.get(code="q8")

    (comment,) = review_comments_add(
        submission=submitted, reviewer=reviewer, comments={"q8": "Which plan?"}
    )

    assert (comment.question, comment.version, comment.author) == (question, 1, reviewer)
    event = submitted.events.get()
    assert (event.kind, event.question, event.after) == (
        Kind.COMMENTED,
        question,
        {"comment": "Which plan?"},
    )
    assert Submission.objects.get().status == Status.SUBMITTED


def test_comments_add_skips_blank(submitted, reviewer):
    written = review_comments_add(
        submission=submitted, reviewer=reviewer, comments={"q1": "", "q2a": "Add a link.", "": " "}
    )

    assert [comment.question.code for comment in written] == ["q2a"]


def test_review_email_lists_comments_to_officials_only(submitted, reviewer, focal_point, outsider):
    returned = submission_return(
        submission=submitted,
        reviewer=reviewer,
        comments={"q3": "Name the ministry <b>in charge</b>."},
    )

    sent_to = review_email_send(submission=returned, kind=Kind.RETURNED)

    assert sent_to == 1
    message = mail.outbox[0]
    assert message.to == [focal_point.email]
    assert "Name the ministry <b>in charge</b>." in message.body
    assert "Uzbekistan" in message.subject


def test_accept_emails_officials_once_committed(
    submitted,
    reviewer,
    focal_point,
    outsider,
    emails_in_process,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_accept(submission=submitted, reviewer=reviewer)
        # Nothing leaves before the acceptance is committed.
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [focal_point.email]
    assert message.subject == "MSQ: Uzbekistan's answers are accepted"
    assert "accepted as final" in message.body


def test_overview_tells_officials_why_reopened_and_when_accepted(
    client, submitted, reviewer, focal_point
):
    client.force_login(focal_point)
    home = reverse("questionnaire:home")
    assert 'id="review-outcome"' not in client.get(home).content.decode()

    reopened = submission_reopen(
        submission=submitted, reviewer=reviewer, reason="You asked to correct <q12>."
    )
    page = client.get(home).content.decode()
    assert "opened your submission for changes again" in page
    assert "You asked to correct &lt;q12&gt;." in page

    answers_save(submission=reopened, user=focal_point, values={}, base_version=reopened.version)
    resubmitted = submission_submit(submission=Submission.objects.get(), user=focal_point)
    assert 'id="review-outcome"' not in client.get(home).content.decode()

    submission_accept(submission=resubmitted, reviewer=reviewer)
    assert "accepted your submission" in client.get(home).content.decode()
