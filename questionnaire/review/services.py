"""The review workflow: DPIDG reviewers comment on, return, accept and reopen submissions.

Every write here records a SubmissionEvent with its reviewer, so that no staff
change is ever silent; answers themselves are never written by reviewers.
Status changes bump the submission's version, so that a page opened before
the change is refused as stale by the filling flow.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.languages import mail_send_in_languages
from accounts.models import User
from accounts.selectors import country_officials
from questionnaire.locking import submission_locked, version_bump
from questionnaire.models import Question, ReviewComment, Submission, SubmissionEvent
from questionnaire.queueing import task_queue
from questionnaire.text import contains_unstorable
from questionnaire.workflow import LEADS_TO, Action, action_allowed

COMMENT_MAX_LENGTH = 5_000
EMAIL_NEW_COMMENTS_TASK = "questionnaire.tasks.task_email_new_comments"


class ReviewError(Exception):
    """A review action that cannot be done as asked; the message is for the reviewer."""


def _changed_error(version: int) -> ReviewError:
    return ReviewError(
        _(
            "The submission changed while you were reading it (it is now version "
            "%(version)d). Read it again before acting on it."
        )
        % {"version": version}
    )


def _locked(submission: Submission, base_version: int | None = None) -> Submission:
    """The submission's row, re-read under a row lock so two reviewers cannot race.

    With `base_version` (the version the reviewer was looking at), a submission
    changed since is refused: a reviewer never acts on answers they did not see.
    """
    locked = submission_locked(submission)
    if base_version is not None and locked.version != base_version:
        raise _changed_error(locked.version)
    return locked


def comment_text_clean(text: str) -> str:
    """The text stripped; ReviewError if it holds what the database cannot store or is too long.

    The one check of every comment, reply and reason (questionnaire.review.comments too)."""
    text = (text or "").strip()
    if contains_unstorable(text):
        raise ReviewError(
            _(
                "The text contains an invisible control character (often pasted from another "
                "program). Remove it and try again."
            )
        )
    if len(text) > COMMENT_MAX_LENGTH:
        raise ReviewError(
            _("A comment is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(text), "limit": COMMENT_MAX_LENGTH}
        )
    return text


def _status_change(
    *,
    submission: Submission,
    reviewer: User,
    action: Action,
    kind: str,
    message: str = "",
    base_version: int | None = None,
) -> Submission:
    """Move the submission by `action` (questionnaire.workflow), with its event."""
    locked = _locked(submission, base_version)
    if not action_allowed(locked, action):
        raise ReviewError(
            _("This submission is “%(status)s”: it cannot be %(action)s.")
            % {"status": locked.get_status_display(), "action": SubmissionEvent.Kind(kind).label}
        )
    before = locked.status
    new_status = LEADS_TO[action]
    version_bump(locked, stale=_changed_error, status=new_status)
    SubmissionEvent.objects.create(
        submission=locked,
        kind=kind,
        actor=reviewer,
        version=locked.version,
        before={"status": before},
        after={"status": new_status},
        message=message,
    )
    return locked


def _comments_create(
    *, submission: Submission, reviewer: User, comments: Mapping[str, str], version: int
) -> list[ReviewComment]:
    """ReviewComments (and their events) from {question code or "": text}; blanks skipped."""
    cleaned = {code: comment_text_clean(text) for code, text in comments.items()}
    cleaned = {code: text for code, text in cleaned.items() if text}
    codes = {code for code in cleaned if code}
    questions = {
        question.code: question
        for question in Question.objects.filter(edition_id=submission.edition_id, code__in=codes)
    }
    unknown = sorted(codes - set(questions))
    if unknown:
        raise ReviewError(
            _("No question %(codes)s in this edition.") % {"codes": ", ".join(unknown)}
        )
    created = []
    order = {code: question.order for code, question in questions.items()}
    # Written while the country has it for revision: the country sees it at once; otherwise
    # it is the reviewers' draft until the submission is returned (submission_return).
    shared_at = timezone.now() if submission.status == Submission.Status.RETURNED else None
    # Whole-submission remarks first, then in questionnaire order.
    for code in sorted(cleaned, key=lambda code: order.get(code, -1)):
        question = questions.get(code)
        comment = ReviewComment.objects.create(
            submission=submission,
            question=question,
            author=reviewer,
            text=cleaned[code],
            version=version,
            shared_at=shared_at,
        )
        SubmissionEvent.objects.create(
            submission=submission,
            kind=SubmissionEvent.Kind.COMMENTED,
            actor=reviewer,
            question=question,
            version=submission.version,
            after={"comment": comment.text},
        )
        created.append(comment)
    return created


def _queue_email(*, submission: Submission, kind: str) -> None:
    # Through the outbox: a broker outage delays the e-mail, never loses it or fails the decision.
    task_queue("questionnaire.tasks.task_email_review", submission_id=submission.pk, kind=kind)


@transaction.atomic
def review_comments_add(
    *, submission: Submission, reviewer: User, comments: Mapping[str, str]
) -> list[ReviewComment]:
    """Write several comments at once: {question code, or "" for the whole submission: text}.

    Blank texts are skipped. Side effects: one ReviewComment and one COMMENTED
    event per comment, all or none; while the submission is returned (the
    comments are shown to the country at once), on commit its officials are
    e-mailed them, in one e-mail (task_email_new_comments). Raises ReviewError
    for an unknown question code or an over-long text.
    """
    locked = _locked(submission)
    created = _comments_create(
        submission=locked, reviewer=reviewer, comments=comments, version=locked.version
    )
    # Drafts wait for the return, whose e-mail lists them (review_email_send).
    shared = [comment.pk for comment in created if comment.shared_at is not None]
    if shared:
        task_queue(EMAIL_NEW_COMMENTS_TASK, comment_ids=shared)
    return created


@transaction.atomic
def submission_return(
    *,
    submission: Submission,
    reviewer: User,
    comments: Mapping[str, str],
    base_version: int | None = None,
) -> Submission:
    """Return a submitted (or accepted) submission to its country for revision.

    `comments` maps question codes ("" for the whole submission) to comment
    texts; blank ones are skipped. At least one comment is required so that the
    country knows what to change: typed now, or saved earlier and not yet shown
    to the country.

    Side effects: status RETURNED, version bumped, a RETURNED event and one
    ReviewComment + COMMENTED event per comment; every thread not yet shown to
    the country is shared with it (shared_at); on commit, the country's
    officials are e-mailed the open threads (task_email_review).
    Raises ReviewError if the status does not allow it, no comment is given,
    or the submission is no longer at `base_version`.
    """
    locked = _locked(submission, base_version)
    drafts = locked.review_comments.filter(parent__isnull=True, shared_at__isnull=True)
    if not any(comment_text_clean(text) for text in comments.values()) and not drafts.exists():
        raise ReviewError(_("Write at least one comment telling the country what to revise."))
    commented_version = locked.version
    returned = _status_change(
        submission=locked,
        reviewer=reviewer,
        action=Action.RETURN,
        kind=SubmissionEvent.Kind.RETURNED,
    )
    _comments_create(
        submission=returned, reviewer=reviewer, comments=comments, version=commented_version
    )
    drafts.update(shared_at=timezone.now())
    _queue_email(submission=returned, kind=SubmissionEvent.Kind.RETURNED)
    return returned


@transaction.atomic
def submission_accept(
    *, submission: Submission, reviewer: User, base_version: int | None = None
) -> Submission:
    """Accept a submitted submission as final.

    Side effects: status ACCEPTED, version bumped, an ACCEPTED event; on commit,
    the officials are e-mailed (task_email_review), so that they know their work is done.
    Raises ReviewError unless the submission is SUBMITTED (at `base_version`).
    """
    accepted = _status_change(
        submission=submission,
        base_version=base_version,
        reviewer=reviewer,
        action=Action.ACCEPT,
        kind=SubmissionEvent.Kind.ACCEPTED,
    )
    _queue_email(submission=accepted, kind=SubmissionEvent.Kind.ACCEPTED)
    return accepted


@transaction.atomic
def submission_reopen(
    *, submission: Submission, reviewer: User, reason: str, base_version: int | None = None
) -> Submission:
    """Give a submitted or accepted submission back to its country as a draft, without comments.

    For when the country asks to correct something itself. `reason` is kept in
    the history and sent to the officials.

    Side effects: status DRAFT, version bumped, a REOPENED event with the
    reason; on commit, the officials are e-mailed (task_email_review).
    Raises ReviewError without a reason or if the status does not allow it.
    """
    reason = comment_text_clean(reason)
    if not reason:
        raise ReviewError(_("Say why the submission is reopened."))
    reopened = _status_change(
        submission=submission,
        base_version=base_version,
        reviewer=reviewer,
        action=Action.REOPEN,
        kind=SubmissionEvent.Kind.REOPENED,
        message=reason,
    )
    _queue_email(submission=reopened, kind=SubmissionEvent.Kind.REOPENED)
    return reopened


def review_email_send(*, submission: Submission, kind: str) -> int:
    """E-mail the country's active officials that their submission was returned, reopened or
    accepted.

    Side effects: sends one e-mail (all officials as recipients). Returns the
    number of recipients. Safe to run twice (sends the same e-mail again).
    """
    recipients = list(country_officials(country_ids=[submission.country_id]).order_by("email"))
    if not recipients:
        return 0
    last_event = submission.events.filter(kind=kind).order_by("-created_at", "-id").first()
    comments = []
    if kind == SubmissionEvent.Kind.RETURNED:
        # Every thread the country has to answer: this return's and any left open before.
        comments = list(
            submission.review_comments.filter(
                parent__isnull=True, shared_at__isnull=False, resolved_at__isnull=True
            )
            .select_related("question")
            .order_by("question__order", "created_at", "id")
        )
    context = {
        "submission": submission,
        "kind": kind,
        "event": last_event,
        "comments": comments,
        "url": settings.SITE_URL.rstrip("/") + reverse("questionnaire:home"),
    }
    # Each official reads it in their own language (User.language), also from a worker.
    return mail_send_in_languages(
        users=recipients,
        subject_template="questionnaire/staff/review_email_subject.txt",
        body_template="questionnaire/staff/review_email.txt",
        context=context,
    )
