"""Confirming carried-over answers: one click per question or per section (issue 15).

The answers were prefilled from the previous edition (filling.carrying); an official
confirms them here as they are, or changes them (which confirms them too).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from questionnaire.filling.services import check_editable, stale_error
from questionnaire.locking import submission_locked, version_bump
from questionnaire.models import Answer, Question, Submission, SubmissionEvent


def carried_confirm(
    *, submission: Submission, user: User, questions: Iterable[Question]
) -> list[str]:
    """Confirm the carried-over answers of `questions` that await it (one question's, or a
    section's): the official checked them and keeps them as they are.

    Returns the codes confirmed (none: nothing written). Raises SubmissionLockedError /
    SubmissionNotAllowedError as every country-side write (filling.services.check_editable).
    Side effects: the answers' confirmation (who, when), the version bumped, one
    CARRIED_CONFIRMED event per answer confirmed.
    """
    by_id = {question.id: question for question in questions}
    with transaction.atomic():
        locked = submission_locked(submission)
        check_editable(locked, user)
        waiting = list(
            Answer.objects.filter(
                submission=locked,
                question_id__in=list(by_id),
                carried_from_edition__isnull=False,
                carried_confirmed_at__isnull=True,
            ).values_list("pk", "question_id")
        )
        if not waiting:
            return []
        version_bump(locked, stale=stale_error)
        now = timezone.now()
        Answer.objects.filter(pk__in=[pk for pk, _question_id in waiting]).update(
            carried_confirmed_at=now, carried_confirmed_by=user
        )
        confirmed = sorted((by_id[question_id] for _pk, question_id in waiting), key=_order)
        SubmissionEvent.objects.bulk_create(
            SubmissionEvent(
                submission=locked,
                kind=SubmissionEvent.Kind.CARRIED_CONFIRMED,
                actor=user,
                question=question,
                version=locked.version,
                after={"confirmed_at": now.isoformat(), "confirmed_by": user.pk},
            )
            for question in confirmed
        )
    return [question.code for question in confirmed]


def _order(question: Question) -> int:
    return question.order
