"""Country-side writes: starting a draft and saving answers (submitting: filling.submitting).

Every write locks the submission row, checks that the country may still edit
it, bumps `Submission.version` and appends `SubmissionEvent` rows with the
before/after values, all in one transaction: a refused write changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, User
from linkcheck.services import links_check_queue_if_changed
from questionnaire.access import EditRefusal, edit_refusal
from questionnaire.filling.carrying import answers_prefill, confirmed_when_changed
from questionnaire.filling.errors import (  # noqa: F401  (the services' errors, raised here)
    CONSENT_MISSING,
    AnswerInputError,
    AnswerLimitError,
    Change,
    EditionClosedError,
    StaleVersionError,
    SubmissionError,
    SubmissionIncompleteError,
    SubmissionLockedError,
    SubmissionNotAllowedError,
)
from questionnaire.kinds import InputShapeError, get_kind, newlines_normalised
from questionnaire.locking import submission_locked, version_bump
from questionnaire.models import Answer, Edition, Question, Submission, SubmissionEvent
from questionnaire.text import contains_unstorable

logger = logging.getLogger(__name__)


# --- Helpers -----------------------------------------------------------------


def stale_error(current_version: int) -> StaleVersionError:
    return StaleVersionError(current_version=current_version, changes=[])


def check_editable(locked: Submission, user: User) -> None:
    refusal = edit_refusal(user=user, submission=locked)
    if refusal == EditRefusal.OTHER_COUNTRY:
        # Callers scope by the user's country; this is the last line of defence.
        raise SubmissionNotAllowedError
    if refusal == EditRefusal.EDITION_CLOSED:
        raise EditionClosedError
    if refusal == EditRefusal.LOCKED:
        raise SubmissionLockedError


NUL_REFUSED = _(
    "The answer contains a NUL character (an invisible control character, often pasted from "
    "another program) that cannot be stored. Remove it and save again."
)


def user_name(user: User | None) -> str:
    return user.get_full_name() if user else str(_("someone"))


# --- Services ----------------------------------------------------------------


def submission_get_or_create(*, edition: Edition, country: Country, user: User) -> Submission:
    """The country's submission to the edition, created as a draft if it has none.

    Side effects: on creation, a Submission row and a CREATED event, and the draft
    prefilled from the country's answers to the previous edition through the questions'
    lineage (filling.carrying.answers_prefill: its answers and a PREFILLED event).
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
            answers_prefill(submission=submission, user=user)
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
    already_locked: bool = False,
    stored_answers: Mapping[int, tuple[int, dict]] | None = None,
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
    changed. A changed answer carried over from the previous edition is confirmed by
    the change (who, when: in the same UPDATE, the ANSWERS_SAVED event records it).
    A fixed number of queries whatever the number of answers.

    `known_questions`, when the caller has already read them (a section page has
    its section's), spares reading them again; codes outside them count as unknown.

    `already_locked=True`: the caller has already locked and read `submission` in its open
    transaction (`submission_locked_current`), so it is not read again, and no
    savepoint is opened: a refusal raised here must end the caller's transaction.
    `stored_answers`, {question id: (answer id, stored value)} of the submission
    read in that transaction after the lock, spares reading the answers again.
    """
    if already_locked and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("answers_save(already_locked=True) needs the caller's transaction")
    with transaction.atomic(savepoint=not already_locked):
        locked = submission if already_locked else submission_locked(submission)
        check_editable(locked, user)

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
        if stored_answers is None:
            existing = {
                answer.question_id: answer
                for answer in Answer.objects.filter(
                    submission=locked, question_id__in=[q.id for q in questions.values()]
                )
            }
        else:
            existing = {
                question.id: Answer(
                    id=stored_answers[question.id][0],
                    submission=locked,
                    question=question,
                    value=stored_answers[question.id][1],
                )
                for question in questions.values()
                if question.id in stored_answers
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
        version_bump(locked, stale=stale_error)
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
        if len(to_update) == 1:
            # One changed answer (an autosave's usual case): a plain UPDATE, cheaper to
            # build than bulk_update's CASE.
            Answer.objects.filter(pk=to_update[0].pk).update(
                value=to_update[0].value,
                updated_by=user,
                updated_at=now,
                **confirmed_when_changed(user=user, now=now),
            )
        elif to_update:
            confirmation = confirmed_when_changed(user=user, now=now)
            for answer in to_update:
                # Expressions: each row keeps its confirmation unless it awaited one.
                answer.carried_confirmed_at = confirmation["carried_confirmed_at"]
                answer.carried_confirmed_by_id = confirmation["carried_confirmed_by"]
            Answer.objects.bulk_update(
                to_update,
                [
                    "value",
                    "updated_by",
                    "updated_at",
                    "carried_confirmed_at",
                    "carried_confirmed_by",
                ],
            )
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
            actor_name=user_name(event.actor),
            at=event.created_at,
            value=current,
        )
    if changes:
        ordered = sorted(changes.values(), key=lambda change: questions[change.question_code].order)
        raise StaleVersionError(current_version=locked.version, changes=ordered)
