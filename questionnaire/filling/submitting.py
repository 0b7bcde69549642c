"""Giving or refusing the authorization to publish, submitting, and what a submit sets off
(the PDF render and the confirmation e-mail, queued through the outbox)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.languages import language_supported, mail_send_in_languages
from accounts.models import User
from accounts.selectors import country_officials
from linkcheck.services import links_check_schedule
from questionnaire.answers import submission_problems
from questionnaire.carried import carried_problems
from questionnaire.editions.wording import wording
from questionnaire.filling.errors import (
    CONSENT_MISSING,
    SubmissionIncompleteError,
    SubmissionLockedError,
    SubmissionNotAllowedError,
)
from questionnaire.filling.services import check_editable, stale_error
from questionnaire.locking import submission_locked, version_bump
from questionnaire.models import Question, Submission, SubmissionEvent
from questionnaire.pdf.services import RENDER_PDF_TASK, pdf_lease_take
from questionnaire.queueing import pending_task_is_waiting, tasks_queue
from questionnaire.selectors import submission_values
from questionnaire.workflow import LEADS_TO, Action, action_allowed

logger = logging.getLogger(__name__)

# Queued by name (questionnaire.queueing): the tasks module imports this one.
EMAIL_SUBMITTED_TASK = "questionnaire.tasks.task_email_submitted"


CONSENT_NOT_ALLOWED = _(
    "Only your country's focal point can give or refuse the authorization to publish."
)


def consent_set(
    *, submission: Submission, user: User, consent: str, language: str | None = None
) -> Submission:
    """Record the publication consent ("granted" or "refused") with who, when and the wording.

    The wording recorded is the one shown: the edition's consent text in `language`
    (default: the active language), or the English one if the edition has none in it,
    with the language it is in.

    Side effects: updates the submission's consent fields, bumps its version,
    adds a CONSENT_CHANGED event (before/after). Raises ValueError for another
    choice, SubmissionNotAllowedError unless `user` is the country's focal
    point, SubmissionLockedError once submitted.
    """
    if consent not in {Submission.Consent.GRANTED, Submission.Consent.REFUSED}:
        raise ValueError(f"unknown consent choice {consent!r}")
    # The consent is the country's legal authorization, given by the official
    # answerable for the submission: a contributor must not give or overwrite it.
    if not user.is_focal_point:
        raise SubmissionNotAllowedError(CONSENT_NOT_ALLOWED)
    with transaction.atomic():
        locked = submission_locked(submission)
        check_editable(locked, user)
        before = {
            "consent": locked.consent,
            "consent_by": locked.consent_by_id,
            "consent_at": locked.consent_at.isoformat() if locked.consent_at else None,
        }
        now = timezone.now()
        shown = wording(locked.edition, "consent_text", language=language)
        version_bump(
            locked,
            stale=stale_error,
            consent=consent,
            consent_text=shown.text,
            consent_language=shown.lang,
            consent_by=user,
            consent_at=now,
        )
        SubmissionEvent.objects.create(
            submission=locked,
            kind=SubmissionEvent.Kind.CONSENT_CHANGED,
            actor=user,
            version=locked.version,
            before=before,
            after={
                "consent": consent,
                "consent_by": user.pk,
                "consent_at": now.isoformat(),
                "consent_text": shown.text,
                "consent_language": shown.lang,
            },
        )
    return locked


def _locked_for_submit(
    *, submission: Submission, user: User, base_version: int | None
) -> Submission:
    """The submission locked for a submit, once the country may still submit this version.

    Called inside the caller's transaction: the lock lasts until it commits."""
    locked = submission_locked(submission)
    check_editable(locked, user)
    if not action_allowed(locked, Action.SUBMIT):
        raise SubmissionLockedError
    if base_version is not None and base_version != locked.version:
        raise stale_error(locked.version)
    return locked


def submission_submit(
    *, submission: Submission, user: User, base_version: int | None = None
) -> Submission:
    """Submit the country's answers: validate everything, then record who and when.

    Raises SubmissionNotAllowedError unless `user` is the country's focal
    point, SubmissionLockedError if already submitted, StaleVersionError if
    `base_version` is given and answers changed since, SubmissionIncompleteError
    with {question code or "consent": messages} if anything blocks.

    Side effects: status SUBMITTED, submitted_by/at, version bumped and kept as
    submitted_version, submission_number one more than before (officials' count), the
    active language as the submission's `language`, a SUBMITTED event; the PDF
    rendering (task_render_submission_pdf) and the confirmation e-mail to the
    country's officials (task_email_submitted) are queued through the outbox
    (questionnaire.queueing), and the link check on commit.
    """
    if not user.is_focal_point:
        raise SubmissionNotAllowedError
    with transaction.atomic():
        locked = _locked_for_submit(submission=submission, user=user, base_version=base_version)
        problems = _answer_problems(locked)
        if not locked.consent:
            problems["consent"] = [str(CONSENT_MISSING)]
        if problems:
            raise SubmissionIncompleteError(problems)

        before = {"status": locked.status, "version": locked.version}
        now = timezone.now()
        version_bump(
            locked,
            stale=stale_error,
            status=LEADS_TO[Action.SUBMIT],
            submitted_by=user,
            submitted_at=now,
            submission_number=(locked.submission_number or 0) + 1,
            # The submitter's language (header switcher, User.language): the PDF's language.
            language=language_supported(translation.get_language()),
        )
        Submission.objects.filter(pk=locked.pk).update(submitted_version=locked.version)
        locked.submitted_version = locked.version
        SubmissionEvent.objects.create(
            submission=locked,
            kind=SubmissionEvent.Kind.SUBMITTED,
            actor=user,
            version=locked.version,
            before=before,
            after={
                "status": locked.status,
                "version": locked.version,
                "submission_number": locked.submission_number,
                "consent": locked.consent,
            },
        )
        _submit_side_effects_queue(submission_id=locked.pk, version=locked.version)
        submission_id = locked.pk
        # linkcheck (issue 16): the submitted links are checked at once (never blocks submit).
        transaction.on_commit(
            lambda: links_check_schedule(submission_id=submission_id, countdown=0), robust=True
        )
    return locked


def submission_consent_and_submit(
    *,
    submission: Submission,
    user: User,
    consent: str,
    base_version: int | None = None,
    language: str | None = None,
) -> Submission:
    """The review page's one action: record the focal point's choice about publication
    (consent_set, "granted" or "refused"), then submit (submission_submit); both or neither.

    A blank `consent` (nothing chosen) is reported with the answers' problems.
    Raises what submission_submit raises, checked in its order (focal point,
    editable, submittable, `base_version` current, complete); when any is raised
    nothing is recorded: no consent event either.

    Side effects: those of consent_set (a CONSENT_CHANGED event, even when the
    choice is the same as before: the focal point confirmed it with the wording
    shown) and of submission_submit (a SUBMITTED event, the PDF and e-mail queued).
    """
    if not user.is_focal_point:
        raise SubmissionNotAllowedError
    with transaction.atomic():
        locked = _locked_for_submit(submission=submission, user=user, base_version=base_version)
        if consent not in {Submission.Consent.GRANTED, Submission.Consent.REFUSED}:
            problems = _answer_problems(locked)
            problems["consent"] = [str(CONSENT_MISSING)]
            raise SubmissionIncompleteError(problems)
        # Incomplete answers raise in submission_submit: the atomic block drops the consent too.
        consented = consent_set(submission=locked, user=user, consent=consent, language=language)
        return submission_submit(submission=consented, user=user)


def _answer_problems(locked: Submission) -> dict[str, list[str]]:
    """What blocks submitting in the answers: {question code: messages}; carried-over answers
    awaiting confirmation among them (questionnaire.carried.carried_problems)."""
    questions = list(Question.objects.filter(edition_id=locked.edition_id).order_by("order"))
    values = submission_values(submission=locked)
    problems = {
        code: [str(problem) for problem in found]
        for code, found in submission_problems(questions, values).items()
    }
    # Carried-over answers not yet confirmed or changed, if the edition asks for it.
    for code, found in carried_problems(
        submission=locked, questions=questions, values=values
    ).items():
        problems.setdefault(code, []).extend(found)
    return problems


def _submit_side_effects_queue(*, submission_id: int, version: int) -> None:
    """Queue the PDF and the confirmation e-mail of a submitted version through the outbox.

    Written in the submit's transaction, so that a broker down or hung at that
    moment loses neither: the rows are sent on commit or by beat's sweeper.
    """
    # The lease keeps the PDF sweeper from queueing this version again while a worker
    # renders it; it expires, so a render lost with its worker is queued again.
    pdf_lease_take(submission_id=submission_id, version=version)
    ids = {"submission_id": submission_id, "version": version}
    tasks_queue((RENDER_PDF_TASK, ids), (EMAIL_SUBMITTED_TASK, ids))


def submit_side_effects_waiting(*, submission: Submission) -> bool:
    """Whether the PDF or the confirmation e-mail of the submitted version still waits for
    the broker (it was down or did not answer when the submit committed)."""
    ids = {"submission_id": submission.pk, "version": submission.submitted_version}
    return pending_task_is_waiting(RENDER_PDF_TASK, **ids) or pending_task_is_waiting(
        EMAIL_SUBMITTED_TASK, **ids
    )


def submission_confirmation_once(*, submission_id: int, version: int) -> int:
    """Send the confirmation e-mail of a submitted version, unless it was sent already.

    Idempotent per (submission, version): a redelivered or resent task sends
    nothing. Returns the number of messages sent. Side effects: the e-mail and a
    CONFIRMATION_SENT event with that version, committed together (if the
    commit fails after the e-mail left, a retry sends it again: at least once).
    """
    with transaction.atomic():
        # The version's SUBMITTED event is locked, not the submission: officials keep
        # saving while the mail server answers, and two runs of this task queue up here.
        submitted = (
            SubmissionEvent.objects.select_for_update()
            .filter(submission_id=submission_id, kind=SubmissionEvent.Kind.SUBMITTED)
            .filter(version=version)
            .first()
        )
        if submitted is None:
            logger.warning("no submitted version %s of submission %s", version, submission_id)
            return 0
        already = SubmissionEvent.objects.filter(
            submission_id=submission_id, kind=SubmissionEvent.Kind.CONFIRMATION_SENT
        ).filter(version=version)
        if already.exists():
            return 0
        sent = submission_confirmation_send(submission_id=submission_id)
        SubmissionEvent.objects.create(
            submission_id=submission_id,
            kind=SubmissionEvent.Kind.CONFIRMATION_SENT,
            version=version,
            after={"messages": sent},
        )
    return sent


def submission_confirmation_send(*, submission_id: int) -> int:
    """E-mail every active official of the country that its answers were submitted.

    Returns the number of messages sent. Side effects: e-mail only.
    """
    submission = Submission.objects.select_related("edition", "country", "submitted_by").get(
        pk=submission_id
    )
    recipients = country_officials(country_ids=[submission.country_id]).order_by("email")
    context = {
        "submission": submission,
        "edition": submission.edition,
        "country": submission.country,
        "submitted_by": submission.submitted_by,
        "url": settings.SITE_URL.rstrip("/") + reverse("questionnaire:submission"),
    }
    # Each official reads it in their own language (User.language).
    return mail_send_in_languages(
        users=recipients,
        subject_template="questionnaire/email/submitted_subject.txt",
        body_template="questionnaire/email/submitted.txt",
        context=context,
    )
