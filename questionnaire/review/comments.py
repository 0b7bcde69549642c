"""Two-way comments: replies to a reviewer's comment, and reviewers resolving the thread.

A thread is a reviewer's comment (questionnaire.review.services writes those) and
its replies. The country's officials reply from their section pages and the
overview; reviewers reply, resolve and reopen from the review page.

None of these writes bumps the submission's version: a conversation changes no
answer and no status, and a bump would refuse as stale the answers an official
is typing in another tab. They still take the submission's row lock
(questionnaire.locking), so that a reply and a decision on the same submission
are written one after the other, and each records a SubmissionEvent.

A reply is accepted in every status (draft, submitted, returned, accepted): a
country answering a question after submitting again, or a reviewer after
accepting, is never turned away with their text lost. A reply to a resolved
thread reopens it, since its writer has something more to say.

The threads' e-mails are here too: a reply, to the other side
(thread_reply_email_send), and the reviewers' new comments written while the
country has the submission for revision, to its officials
(thread_comments_email_send); both link the officials to where they answer
(questionnaire.review.threads.thread_question_url).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.languages import mail_send_in_languages
from accounts.models import User
from accounts.selectors import country_officials
from questionnaire.access import is_reviewer
from questionnaire.locking import submission_locked
from questionnaire.models import ReviewComment, SubmissionEvent
from questionnaire.queueing import task_queue
from questionnaire.review.services import ReviewError, comment_text_clean
from questionnaire.review.threads import thread_question_url

Side = ReviewComment.Side
Kind = SubmissionEvent.Kind


def _thread_locked(thread: ReviewComment) -> tuple[ReviewComment, object]:
    """The thread re-read after its submission's row lock: what another reviewer did to it
    meanwhile (resolved it, replied) is seen."""
    submission = submission_locked(thread.submission)
    locked = ReviewComment.objects.select_related("question").get(pk=thread.pk)
    return locked, submission


def _event(*, submission, thread: ReviewComment, actor: User, kind: str, **fields) -> None:
    SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        actor=actor,
        question=thread.question,
        version=submission.version,
        **fields,
    )


def _reply(*, thread: ReviewComment, author: User, side: str, text: str) -> ReviewComment:
    text = comment_text_clean(text)
    if not text:
        raise ReviewError(_("Write your reply before sending it."))
    thread, submission = _thread_locked(thread)
    if thread.parent_id is not None:
        raise ReviewError(_("Reply to the thread's first comment."))
    reply = ReviewComment.objects.create(
        submission=submission,
        question=thread.question,
        parent=thread,
        author=author,
        author_side=side,
        text=text,
        version=submission.version,
    )
    _event(
        submission=submission,
        thread=thread,
        actor=author,
        kind=Kind.REPLIED,
        after={"thread": thread.pk, "comment": text},
    )
    if thread.is_resolved:
        _reopen(submission=submission, thread=thread, actor=author)
    # The other side is told, once the thread is the country's to see as well.
    if thread.shared_at is not None:
        task_queue("questionnaire.tasks.task_email_thread_reply", reply_id=reply.pk)
    return reply


def _reopen(*, submission, thread: ReviewComment, actor: User) -> None:
    ReviewComment.objects.filter(pk=thread.pk).update(resolved_at=None, resolved_by=None)
    thread.resolved_at = thread.resolved_by = None
    _event(
        submission=submission,
        thread=thread,
        actor=actor,
        kind=Kind.THREAD_REOPENED,
        before={"thread": thread.pk, "resolved": True},
        after={"thread": thread.pk, "resolved": False},
    )


@transaction.atomic
def thread_reply_by_official(*, thread: ReviewComment, official: User, text: str) -> ReviewComment:
    """An official's reply to a thread of their country's submission.

    Side effects: a ReviewComment (side country) and a REPLIED event; a resolved
    thread is reopened (THREAD_REOPENED event); on commit, the reviewers who
    wrote in the thread are e-mailed (task_email_thread_reply).
    Raises ReviewError for an empty, over-long or unstorable text, or a thread
    the official may not answer (another country's, or not shared yet: the
    views answer those with a 404 before calling this).
    """
    if (
        official.is_staff
        or official.country_id != thread.submission.country_id
        or thread.shared_at is None
    ):
        raise ReviewError(_("This comment is not one your country can answer."))
    return _reply(thread=thread, author=official, side=Side.COUNTRY, text=text)


@transaction.atomic
def thread_reply_by_reviewer(*, thread: ReviewComment, reviewer: User, text: str) -> ReviewComment:
    """A reviewer's reply in a thread.

    Side effects: a ReviewComment (side reviewer) and a REPLIED event; a
    resolved thread is reopened; on commit, if the country sees the thread, its
    officials are e-mailed (task_email_thread_reply). Raises ReviewError for bad text.
    """
    return _reply(thread=thread, author=reviewer, side=Side.REVIEWER, text=text)


@transaction.atomic
def thread_resolve(*, thread: ReviewComment, reviewer: User) -> ReviewComment:
    """Mark the thread resolved (a reviewer's call: the country's answer settled it).

    Side effects: resolved_at and resolved_by on the thread, a THREAD_RESOLVED
    event. Raises ReviewError if it is already resolved.
    """
    thread, submission = _thread_locked(thread)
    if thread.is_resolved:
        raise ReviewError(_("This thread is already resolved."))
    thread.resolved_at, thread.resolved_by = timezone.now(), reviewer
    thread.save(update_fields=["resolved_at", "resolved_by"])
    _event(
        submission=submission,
        thread=thread,
        actor=reviewer,
        kind=Kind.THREAD_RESOLVED,
        before={"thread": thread.pk, "resolved": False},
        after={"thread": thread.pk, "resolved": True},
    )
    return thread


@transaction.atomic
def thread_reopen(*, thread: ReviewComment, reviewer: User) -> ReviewComment:
    """Open a resolved thread again. Side effects: its resolution cleared, a THREAD_REOPENED
    event. Raises ReviewError if it is open."""
    thread, submission = _thread_locked(thread)
    if not thread.is_resolved:
        raise ReviewError(_("This thread is open already."))
    _reopen(submission=submission, thread=thread, actor=reviewer)
    return thread


def thread_reply_email_send(*, reply_id: int) -> int:
    """E-mail the other side of a thread about a reply, each recipient in their language.

    An official's reply goes to the active reviewers who wrote in the thread (to
    settings.DPIDG_CONTACT_EMAIL, in the portal's language, if none is left); a
    reviewer's reply to the country's active officials. Returns the number of
    recipients. Once per reply, as the new comments' e-mail below: the reply locked, sent,
    and its `emailed_at` set in one transaction; run again, it sends nothing.
    """
    with transaction.atomic():
        reply = (
            ReviewComment.objects.select_for_update(of=("self",))
            .select_related(
                "parent__question", "parent__author", "submission__country", "submission__edition"
            )
            .filter(pk=reply_id, parent__isnull=False, emailed_at__isnull=True)
            .first()
        )
        if reply is None:
            return 0
        sent = _reply_email(reply)
        ReviewComment.objects.filter(pk=reply.pk).update(emailed_at=timezone.now())
    return sent


def _reply_email(reply: ReviewComment) -> int:
    thread, submission = reply.parent, reply.submission
    context = {"reply": reply, "thread": thread, "submission": submission}
    templates = {
        "subject_template": "questionnaire/email/thread_reply_subject.txt",
        "body_template": "questionnaire/email/thread_reply.txt",
    }
    site = settings.SITE_URL.rstrip("/")
    if reply.author_side == Side.REVIEWER:
        # Where the officials answer it: beside the question, or the thread's page.
        context["url"] = site + thread_question_url(thread)
        officials = country_officials(country_ids=[submission.country_id]).order_by("email")
        return mail_send_in_languages(users=officials, context=context, **templates)

    context["url"] = (
        site
        + reverse("admin:questionnaire_submission_change", args=[submission.pk])
        + f"#thread-{thread.pk}"
    )
    writers = {
        message.author
        for message in [thread, *thread.replies.select_related("author")]
        if message.author_side == Side.REVIEWER and message.author is not None
    }
    reviewers = sorted((user for user in writers if is_reviewer(user)), key=lambda u: u.email)
    if reviewers:
        return mail_send_in_languages(users=reviewers, context=context, **templates)
    if not settings.DPIDG_CONTACT_EMAIL:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(templates["subject_template"], context).split())
        body = render_to_string(templates["body_template"], context)
    send_mail(subject, body, None, [settings.DPIDG_CONTACT_EMAIL])
    return 1


def thread_comments_email_send(*, comment_ids: list[int]) -> int:
    """E-mail the country's active officials the reviewer's new comments shown to them, in
    one e-mail per language, each comment with the link to where it is answered.

    For comments written while the submission is returned (review_comments_add); a
    comment not shared with the country is never sent. Once per comment, as the
    submitted version's confirmation (filling.submitting.submission_confirmation_once):
    the comments are locked, those not yet e-mailed sent, and their `emailed_at` set in
    the same transaction, so that the task run again (the outbox sending it twice, a
    redelivery) sends nothing; if the commit fails after the e-mail left, a retry sends it
    again (at least once). Returns the number of recipients.
    """
    with transaction.atomic():
        comments = list(
            ReviewComment.objects.select_for_update(of=("self",))
            .filter(
                pk__in=comment_ids,
                parent__isnull=True,
                author_side=Side.REVIEWER,
                shared_at__isnull=False,
                emailed_at__isnull=True,
            )
            .select_related("question", "submission__country", "submission__edition")
            .order_by("question__order", "created_at", "id")
        )
        if not comments:
            return 0
        sent = _comments_email(comments)
        ReviewComment.objects.filter(pk__in=[c.pk for c in comments]).update(
            emailed_at=timezone.now()
        )
    return sent


def _comments_email(comments: list[ReviewComment]) -> int:
    submission = comments[0].submission
    site = settings.SITE_URL.rstrip("/")
    for comment in comments:
        comment.question_url = site + thread_question_url(comment)
    officials = country_officials(country_ids=[submission.country_id]).order_by("email")
    return mail_send_in_languages(
        users=officials,
        subject_template="questionnaire/email/thread_comments_subject.txt",
        body_template="questionnaire/email/thread_comments.txt",
        context={"submission": submission, "comments": comments},
    )
