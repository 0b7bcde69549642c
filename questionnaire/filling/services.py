"""Country-side writes: starting a draft, saving answers, the publication consent, submitting.

Every write locks the submission row, checks that the country may still edit
it, bumps `Submission.version` and appends `SubmissionEvent` rows with the
before/after values, all in one transaction: a refused write changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.languages import language_supported, mail_send_in_languages
from accounts.models import Country, User
from accounts.selectors import country_officials
from linkcheck.services import links_check_queue_if_changed, links_check_schedule
from questionnaire.access import EditRefusal, edit_refusal
from questionnaire.answers import submission_problems
from questionnaire.editions.wording import wording
from questionnaire.filling.errors import (  # noqa: F401  (the services' errors, raised here)
    CONSENT_MISSING,
    AnswerInputError,
    AnswerLimitError,
    Change,
    StaleVersionError,
    SubmissionError,
    SubmissionIncompleteError,
    SubmissionLockedError,
    SubmissionNotAllowedError,
)
from questionnaire.kinds import InputShapeError, get_kind, newlines_normalised
from questionnaire.locking import submission_locked, version_bump
from questionnaire.models import Answer, Edition, Question, Submission, SubmissionEvent
from questionnaire.pdf.services import RENDER_PDF_TASK, pdf_lease_take
from questionnaire.queueing import pending_task_is_waiting, tasks_queue
from questionnaire.selectors import submission_values
from questionnaire.text import contains_unstorable
from questionnaire.workflow import LEADS_TO, Action, action_allowed

logger = logging.getLogger(__name__)

# Queued by name (questionnaire.queueing): the tasks module imports this one.
EMAIL_SUBMITTED_TASK = "questionnaire.tasks.task_email_submitted"


# --- Helpers -----------------------------------------------------------------


def _stale(current_version: int) -> StaleVersionError:
    return StaleVersionError(current_version=current_version, changes=[])


def _check_editable(locked: Submission, user: User) -> None:
    refusal = edit_refusal(user=user, submission=locked)
    if refusal == EditRefusal.OTHER_COUNTRY:
        # Callers scope by the user's country; this is the last line of defence.
        raise SubmissionNotAllowedError
    if refusal == EditRefusal.LOCKED:
        raise SubmissionLockedError


NUL_REFUSED = _(
    "The answer contains a NUL character (an invisible control character, often pasted from "
    "another program) that cannot be stored. Remove it and save again."
)


def _user_name(user: User | None) -> str:
    return user.get_full_name() if user else str(_("someone"))


# --- Services ----------------------------------------------------------------


def submission_get_or_create(*, edition: Edition, country: Country, user: User) -> Submission:
    """The country's submission to the edition, created as a draft if it has none.

    Side effects: on creation, a Submission row and a CREATED event.
    """
    existing = Submission.objects.select_related("edition", "country").filter(
        edition=edition, country=country
    )
    submission = existing.first()
    if submission is not None:
        return submission
    try:
        with transaction.atomic():
            submission = Submission.objects.create(edition=edition, country=country)
            SubmissionEvent.objects.create(
                submission=submission,
                kind=SubmissionEvent.Kind.CREATED,
                actor=user,
                version=submission.version,
                after={"status": submission.status},
            )
    except IntegrityError:
        # Another official of the same country started it at the same moment.
        submission = existing.get()
    return submission


def answers_save(
    *,
    submission: Submission,
    user: User,
    values: Mapping[str, Mapping[str, Any]],
    base_version: int,
    known_questions: Iterable[Question] | None = None,
) -> Submission:
    """Store answers exactly as typed (through each kind's coerce), valid or not.

    `values` is {question code: {part name: raw value}}; parts not posted keep
    their stored value. Values that did not change are not written.

    Raises SubmissionLockedError / SubmissionNotAllowedError, AnswerInputError
    for unknown questions or parts or a value of the wrong type, AnswerLimitError
    when a value is beyond the draft limits, StaleVersionError when `base_version`
    is older than the stored version AND a question posted here was changed since
    by someone else into something else. Nothing is written when any of these is raised.

    Side effects: creates/updates Answer rows, bumps Submission.version and adds
    one ANSWERS_SAVED event per changed question (before/after), if anything
    changed. A fixed number of queries whatever the number of answers.

    `known_questions`, when the caller has already read them (a section page has
    its section's), spares reading them again; codes outside them count as unknown.
    """
    with transaction.atomic():
        locked = submission_locked(submission)
        _check_editable(locked, user)

        if known_questions is None:
            known_questions = Question.objects.filter(edition_id=locked.edition_id, code__in=values)
        questions = {
            question.code: question
            for question in known_questions
            # Another edition's question is as unknown as a made-up code.
            if question.code in values and question.edition_id == locked.edition_id
        }
        unknown = sorted(set(values) - set(questions))
        if unknown:
            raise AnswerInputError(
                _("Unknown question(s): %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        existing = {
            answer.question_id: answer
            for answer in Answer.objects.filter(
                submission=locked, question_id__in=[q.id for q in questions.values()]
            )
        }

        # Line breaks as posted values have them: a draft stored with CRLF before they were
        # normalised is unchanged by the same text posted again.
        stored = {
            code: newlines_normalised(existing[question.id].value)
            if question.id in existing
            else {}
            for code, question in questions.items()
        }
        new_values: dict[str, dict] = {}
        limit_problems: dict[str, list[str]] = {}
        for code, posted in values.items():
            question = questions[code]
            if not isinstance(posted, Mapping):
                raise AnswerInputError(_("Question %(code)s: bad value.") % {"code": code})
            parts = {part["name"]: part for part in question.parts}
            bad_parts = sorted(set(posted) - set(parts))
            if bad_parts:
                raise AnswerInputError(
                    _("Question %(code)s has no part %(part)s.")
                    % {"code": code, "part": ", ".join(bad_parts)}
                )
            merged = dict(stored[code])
            for name, raw in posted.items():
                kind = get_kind(parts[name]["kind"])
                try:
                    value = kind.coerce(raw, parts[name])
                except InputShapeError as error:
                    raise AnswerInputError(
                        _("Nothing was saved. Question %(code)s, part %(part)s: %(problem)s.")
                        % {"code": code, "part": name, "problem": error.message}
                    ) from error
                problems = [str(p) for p in kind.limit_problems(value, parts[name])]
                if contains_unstorable(value):
                    problems.append(str(NUL_REFUSED))
                if problems:
                    limit_problems.setdefault(code, []).extend(problems)
                if kind.is_empty(value):
                    merged.pop(name, None)
                else:
                    merged[name] = value
            new_values[code] = merged
        if limit_problems:
            raise AnswerLimitError(limit_problems)

        changed = [code for code, value in new_values.items() if value != stored[code]]
        if base_version != locked.version:
            _refuse_if_overwriting(locked, base_version, questions, stored, new_values)
        if not changed:
            return locked

        before_version = locked.version
        version_bump(locked, stale=_stale)
        now = timezone.now()
        to_create, to_update, events = [], [], []
        for code in changed:
            question = questions[code]
            answer = existing.get(question.id)
            before = answer.value if answer else None
            if answer is None:
                to_create.append(
                    Answer(
                        submission=locked,
                        question=question,
                        value=new_values[code],
                        updated_by=user,
                    )
                )
            else:
                answer.value = new_values[code]
                answer.updated_by = user
                answer.updated_at = now
                to_update.append(answer)
            events.append(
                SubmissionEvent(
                    submission=locked,
                    kind=SubmissionEvent.Kind.ANSWERS_SAVED,
                    actor=user,
                    question=question,
                    version=locked.version,
                    before=before,
                    after=new_values[code],
                    message=f"v{before_version}→v{locked.version}",
                )
            )
        if to_create:
            Answer.objects.bulk_create(to_create)
        if to_update:
            Answer.objects.bulk_update(to_update, ["value", "updated_by", "updated_at"])
        SubmissionEvent.objects.bulk_create(events)
        # linkcheck (issue 16): a changed links answer is checked again once committed.
        links_check_queue_if_changed(
            submission_id=locked.pk,
            questions=[questions[code] for code in changed],
            before=stored,
            after=new_values,
        )
    return locked


def _refuse_if_overwriting(
    locked: Submission,
    base_version: int,
    questions: dict[str, Question],
    stored: dict[str, dict],
    new_values: dict[str, dict],
) -> None:
    """Raise StaleVersionError if a posted question was changed since `base_version`
    by a save whose result the posted value would replace."""
    if base_version > locked.version or base_version < 1:
        raise StaleVersionError(current_version=locked.version, changes=[])
    by_id = {question.id: question for question in questions.values()}
    later = (
        SubmissionEvent.objects.filter(
            submission=locked,
            kind=SubmissionEvent.Kind.ANSWERS_SAVED,
            version__gt=base_version,
            question_id__in=list(by_id),
        )
        .select_related("actor")
        .order_by("-version")
    )
    changes: dict[str, Change] = {}
    for event in later:
        question = by_id[event.question_id]
        current = stored[question.code]
        if question.code in changes or new_values[question.code] == current:
            continue
        changes[question.code] = Change(
            question_code=question.code,
            question_number=question.display_number,
            actor_name=_user_name(event.actor),
            at=event.created_at,
            value=current,
        )
    if changes:
        ordered = sorted(changes.values(), key=lambda change: questions[change.question_code].order)
        raise StaleVersionError(current_version=locked.version, changes=ordered)


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
        _check_editable(locked, user)
        before = {
            "consent": locked.consent,
            "consent_by": locked.consent_by_id,
            "consent_at": locked.consent_at.isoformat() if locked.consent_at else None,
        }
        now = timezone.now()
        shown = wording(locked.edition, "consent_text", language=language)
        version_bump(
            locked,
            stale=_stale,
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
        locked = submission_locked(submission)
        _check_editable(locked, user)
        if not action_allowed(locked, Action.SUBMIT):
            raise SubmissionLockedError
        if base_version is not None and base_version != locked.version:
            raise StaleVersionError(current_version=locked.version, changes=[])
        questions = list(Question.objects.filter(edition_id=locked.edition_id).order_by("order"))
        values = submission_values(submission=locked)
        problems = {
            code: [str(problem) for problem in found]
            for code, found in submission_problems(questions, values).items()
        }
        if not locked.consent:
            problems["consent"] = [str(CONSENT_MISSING)]
        if problems:
            raise SubmissionIncompleteError(problems)

        before = {"status": locked.status, "version": locked.version}
        now = timezone.now()
        version_bump(
            locked,
            stale=_stale,
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
