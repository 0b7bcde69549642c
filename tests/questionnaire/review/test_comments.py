"""Two-way comments: replies of both sides, resolving, the events and the e-mails."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from questionnaire.models import (
    PendingTask,
    Question,
    ReviewComment,
    Submission,
    SubmissionEvent,
)
from questionnaire.queueing import pending_tasks_send
from questionnaire.review.comments import (
    thread_reopen,
    thread_reply_by_official,
    thread_reply_by_reviewer,
    thread_resolve,
)
from questionnaire.review.services import (
    ReviewError,
    review_comments_add,
    submission_return,
)
from questionnaire.tasks import task_email_new_comments, task_email_thread_reply
from tests.factories import OfficialFactory, ReviewerFactory, submission_full

Kind = SubmissionEvent.Kind
Status = Submission.Status


@pytest.fixture
def submitted(edition, country_a, focal_point):
    return submission_full(edition=edition, country=country_a, submitted_by=focal_point)


@pytest.fixture
def returned(submitted, reviewer):
    return submission_return(
        submission=submitted,
        reviewer=reviewer,
        comments={"q3": "Name the ministry in charge."},
        base_version=submitted.version,
    )


@pytest.fixture
def thread(returned):
    return returned.review_comments.select_related("submission", "question").get()


@pytest.fixture
def mails(emails_in_process, django_capture_on_commit_callbacks):
    """Runs the on-commit e-mails of what is done inside it; mail.outbox is the result."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_thread_reply_by_official_records_reply_and_event_without_new_version(
    thread, focal_point, returned
):
    reply = thread_reply_by_official(
        thread=thread, official=focal_point, text="  The Ministry of Digital Technologies. "
    )

    assert reply.parent == thread
    assert reply.author_side == ReviewComment.Side.COUNTRY
    assert reply.text == "The Ministry of Digital Technologies."
    event = returned.events.get(kind=Kind.REPLIED)
    assert (event.actor, event.question.code) == (focal_point, "q3")
    assert event.after == {"thread": thread.pk, "comment": "The Ministry of Digital Technologies."}
    # A conversation changes no answer: an official's open page is not made stale.
    assert Submission.objects.get().version == returned.version


def test_thread_reply_by_official_emails_the_reviewer_in_their_language(
    thread, focal_point, reviewer, mails
):
    reviewer.language = "fr"
    reviewer.save(update_fields=["language"])
    with mails():
        thread_reply_by_official(thread=thread, official=focal_point, text="Done.")

    (message,) = mail.outbox
    assert message.to == [reviewer.email]
    assert "La réponse :" in message.body
    assert "Name the ministry in charge." in message.body
    assert f"#thread-{thread.pk}" in message.body


def test_thread_reply_by_official_without_reviewer_left_goes_to_dpidg(
    thread, focal_point, reviewer, mails, settings
):
    settings.DPIDG_CONTACT_EMAIL = "dpidg@un.example.org"
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    with mails():
        thread_reply_by_official(thread=thread, official=focal_point, text="Done.")

    (message,) = mail.outbox
    assert message.to == ["dpidg@un.example.org"]
    assert "The reply:" in message.body


def test_thread_reply_by_reviewer_emails_officials_each_in_their_language(
    thread, focal_point, contributor, mails
):
    contributor.language = "es"
    contributor.save(update_fields=["language"])
    other_reviewer = ReviewerFactory()
    with mails():
        thread_reply_by_reviewer(thread=thread, reviewer=other_reviewer, text="Which year?")

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {(focal_point.email,), (contributor.email,)}
    assert "The reply:" in by_recipient[(focal_point.email,)].body
    assert "La respuesta:" in by_recipient[(contributor.email,)].body
    assert "Which year?" in by_recipient[(contributor.email,)].body


def test_thread_reply_by_reviewer_on_draft_thread_tells_nobody(submitted, reviewer, mails):
    (draft,) = review_comments_add(
        submission=submitted, reviewer=reviewer, comments={"q7": "Which year?"}
    )
    with mails():
        thread_reply_by_reviewer(thread=draft, reviewer=ReviewerFactory(), text="Agreed.")

    assert mail.outbox == []
    assert draft.shared_at is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write your reply"),
        ("x" * 5_001, "the limit is 5000"),
        ("nul\x00byte", "invisible control character"),
    ],
)
def test_thread_reply_bad_text_refused_and_nothing_written(
    thread, focal_point, returned, text, message
):
    events = returned.events.count()
    with pytest.raises(ReviewError, match=message):
        thread_reply_by_official(thread=thread, official=focal_point, text=text)

    assert not ReviewComment.objects.filter(parent__isnull=False).exists()
    assert returned.events.count() == events


def test_thread_reply_by_official_of_another_country_refused(thread, outsider):
    with pytest.raises(ReviewError):
        thread_reply_by_official(thread=thread, official=outsider, text="Not mine.")
    assert not ReviewComment.objects.filter(parent__isnull=False).exists()


def test_thread_reply_by_official_on_thread_not_shared_refused(submitted, reviewer, focal_point):
    (draft,) = review_comments_add(
        submission=submitted, reviewer=reviewer, comments={"q7": "Which year?"}
    )
    with pytest.raises(ReviewError):
        thread_reply_by_official(thread=draft, official=focal_point, text="Seen?")


def test_thread_reply_by_official_accepted_while_submitted(thread, focal_point, returned):
    # The country submitted again meanwhile: the answer to the comment is still taken.
    Submission.objects.filter(pk=returned.pk).update(status=Status.SUBMITTED)
    thread.submission.refresh_from_db()

    reply = thread_reply_by_official(thread=thread, official=focal_point, text="Corrected.")

    assert reply.pk is not None


def test_thread_resolve_and_reopen_record_events(thread, reviewer, returned):
    resolved = thread_resolve(thread=thread, reviewer=reviewer)
    assert resolved.is_resolved and resolved.resolved_by == reviewer
    with pytest.raises(ReviewError, match="already resolved"):
        thread_resolve(thread=thread, reviewer=reviewer)

    reopened = thread_reopen(thread=thread, reviewer=reviewer)

    assert not reopened.is_resolved
    kinds = list(returned.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [Kind.THREAD_RESOLVED, Kind.THREAD_REOPENED]
    assert Submission.objects.get().version == returned.version


def test_thread_reply_to_resolved_thread_reopens_it(thread, reviewer, focal_point, returned):
    thread_resolve(thread=thread, reviewer=reviewer)

    thread_reply_by_official(thread=thread, official=focal_point, text="One more thing.")

    thread.refresh_from_db()
    assert not thread.is_resolved
    reopened = returned.events.get(kind=Kind.THREAD_REOPENED)
    assert reopened.actor == focal_point


def test_submission_return_shares_saved_comments_and_accepts_them_alone(
    submitted, reviewer, focal_point, mails
):
    review_comments_add(submission=submitted, reviewer=reviewer, comments={"q7": "Which year?"})
    with mails():
        returned = submission_return(
            submission=submitted, reviewer=reviewer, comments={}, base_version=submitted.version
        )

    assert returned.status == Status.RETURNED
    assert returned.review_comments.get().shared_at is not None
    assert "Which year?" in mail.outbox[0].body


def test_review_comments_add_while_returned_is_shown_at_once(returned, reviewer):
    (comment,) = review_comments_add(
        submission=returned, reviewer=reviewer, comments={"": "And the contact, please."}
    )
    assert comment.shared_at is not None


def test_thread_reply_email_send_officials_of_another_country_never_told(thread, outsider, mails):
    OfficialFactory(country=outsider.country)
    with mails():
        thread_reply_by_reviewer(thread=thread, reviewer=ReviewerFactory(), text="Which year?")
    recipients = {address for message in mail.outbox for address in message.to}
    assert outsider.email not in recipients


def test_thread_reply_email_delivered_twice_sends_once(thread, focal_point, reviewer, mails):
    with mails():
        reply = thread_reply_by_official(thread=thread, official=focal_point, text="Done.")
    # The task delivered again (the outbox's mark lost, a broker redelivery): nothing more.
    task_email_thread_reply.apply(kwargs={"reply_id": reply.pk})

    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    reply.refresh_from_db()
    assert reply.emailed_at is not None


def test_thread_reply_queues_its_email_through_the_outbox(thread, focal_point):
    # A broker outage delays the e-mail, never loses it: the row commits with the reply.
    reply = thread_reply_by_official(thread=thread, official=focal_point, text="Done.")

    pending = PendingTask.objects.get(task="questionnaire.tasks.task_email_thread_reply")
    assert pending.kwargs == {"reply_id": reply.pk}


def _section_url(question_code: str) -> str:
    """Where an official answers a comment on the question while the answers are editable."""
    question = Question.objects.select_related("section").get(code=question_code)
    page = reverse("questionnaire:section", kwargs={"code": question.section.code})
    return f"{settings.SITE_URL}{page}#question-{question_code}"


def test_thread_reply_by_reviewer_email_links_to_the_question_on_its_section_page(
    thread, focal_point, mails
):
    with mails():
        thread_reply_by_reviewer(thread=thread, reviewer=ReviewerFactory(), text="Which year?")

    (message,) = mail.outbox
    assert _section_url("q3") in message.body
    assert "#open-threads" not in message.body


def test_thread_reply_by_reviewer_email_links_to_the_thread_page_once_resubmitted(
    thread, focal_point, returned, mails
):
    # Submitted again: the section pages are closed, the thread's own page takes the reply.
    Submission.objects.filter(pk=returned.pk).update(status=Status.SUBMITTED)
    thread.submission.refresh_from_db()
    with mails():
        thread_reply_by_reviewer(thread=thread, reviewer=ReviewerFactory(), text="Which year?")

    (message,) = mail.outbox
    page = reverse("questionnaire:thread", args=[thread.pk])
    assert f"{settings.SITE_URL}{page}\n" in message.body
    assert "#question-q3" not in message.body


def test_review_comments_add_while_returned_emails_officials_once_in_their_language(
    returned, reviewer, focal_point, contributor, mails
):
    contributor.language = "fr"
    contributor.save(update_fields=["language"])
    with mails():
        general, _on_q7 = review_comments_add(
            submission=returned,
            reviewer=reviewer,
            comments={"q7": "Which year is this from?", "": "And the contact, please."},
        )

    # One e-mail with both comments per language, not one per comment.
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {(focal_point.email,), (contributor.email,)}
    english, french = by_recipient[(focal_point.email,)], by_recipient[(contributor.email,)]
    assert english.subject == f"MSQ: new reviewers' comments on {returned.country.name}'s answers"
    assert "Answer it here:" in english.body
    assert "Répondez-y ici" in french.body
    for message in (english, french):
        assert "Which year is this from?" in message.body
        assert "And the contact, please." in message.body
        assert _section_url("q7") in message.body
        assert f"{settings.SITE_URL}/#thread-{general.pk}" in message.body


def test_review_comments_add_while_returned_one_comment_names_its_question(
    returned, reviewer, focal_point, mails
):
    with mails():
        review_comments_add(submission=returned, reviewer=reviewer, comments={"q7": "Which year?"})

    (message,) = mail.outbox
    question = Question.objects.get(code="q7")
    assert message.subject == (
        f"MSQ: a new comment on {returned.country.name}'s question {question.display_number} (q7)"
    )


def test_review_comments_add_while_not_returned_emails_nobody(
    submitted, reviewer, focal_point, mails
):
    with mails():
        (draft,) = review_comments_add(
            submission=submitted, reviewer=reviewer, comments={"q7": "Which year?"}
        )
    # Even asked directly (a task queued by mistake), a draft is never sent.
    task_email_new_comments.apply(kwargs={"comment_ids": [draft.pk]})

    assert mail.outbox == []
    assert not PendingTask.objects.filter(task=task_email_new_comments.name).exists()


def test_new_comments_email_outbox_retry_sends_nothing_twice(
    returned, reviewer, focal_point, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    # The return's own e-mail left when it committed: only the comment's is in question here.
    PendingTask.objects.update(sent_at=timezone.now())
    monkeypatch.setattr(task_email_new_comments, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        (comment,) = review_comments_add(
            submission=returned, reviewer=reviewer, comments={"q7": "Which year?"}
        )
    assert mail.outbox == []

    # The broker is back: the sweeper sends it; a second sweep, or the message delivered
    # twice (sent, then the mark that says so lost), sends nothing more.
    monkeypatch.setattr(
        task_email_new_comments,
        "delay",
        lambda **kwargs: task_email_new_comments.apply(kwargs=kwargs),
    )
    later = timezone.now() + timedelta(minutes=1)
    assert pending_tasks_send(now=later) == 1
    assert pending_tasks_send(now=later) == 0
    # Recorded on the comment, not in a cache that a restart or a flush empties.
    cache.clear()
    task_email_new_comments.apply(kwargs={"comment_ids": [comment.pk]})

    assert [message.to for message in mail.outbox] == [[focal_point.email]]
    comment.refresh_from_db()
    assert comment.emailed_at is not None
