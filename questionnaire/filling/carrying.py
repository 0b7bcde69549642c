"""A new draft prefilled from the country's answers to the previous edition, and the
confirmations of those carried-over answers (issue 15).

The mapping is the edition file's lineage (questionnaire.editions.lineage, through
questionnaire.carried); nothing is carried into a question without lineage. Each
answer prefilled is marked (Answer.carried_from_edition) until an official confirms it
(one click per question or per section: filling.confirming) or changes it
(filling.services.answers_save, with confirmed_when_changed). filling.services calls
this module, so it imports nothing of filling.
"""

from __future__ import annotations

from django.db.models import Case, F, Value, When

from accounts.models import User
from linkcheck.services import links_check_queue_if_changed
from questionnaire.carried import previous_values_of
from questionnaire.editions.lineage import carried_value
from questionnaire.models import Answer, Edition, Submission, SubmissionEvent
from questionnaire.structure import edition_structure


def answers_prefill(*, submission: Submission, user: User | None) -> int:
    """Fill a draft just created with the country's last submitted or accepted answers to the
    editions its edition continues, each mapped through its question's lineage.

    Call it in the transaction that created the draft (it writes no answer over another).
    Returns the number of answers prefilled. Side effects: one Answer per question carried,
    marked carried over (not yet confirmed); one PREFILLED event with the count, if any;
    the carried links' check queued on commit. No query for an edition without lineage.
    """
    edition = submission.edition
    questions = [q for q in edition_structure(edition=edition).questions if q.lineage]
    if not questions:
        return 0
    previous = previous_values_of(edition=edition, country_id=submission.country_id)
    if not previous:
        return 0
    edition_ids = dict(Edition.objects.filter(code__in=previous).values_list("code", "pk"))
    carried = {
        question.code: (question, value)
        for question in questions
        if (value := carried_value(question=question, previous_values=previous)) is not None
    }
    if not carried:
        return 0
    Answer.objects.bulk_create(
        Answer(
            submission=submission,
            question=question,
            value=value,
            updated_by=user,
            carried_from_edition_id=edition_ids[question.lineage["edition"]],
        )
        for question, value in carried.values()
    )
    SubmissionEvent.objects.create(
        submission=submission,
        kind=SubmissionEvent.Kind.PREFILLED,
        actor=user,
        version=submission.version,
        after={"count": len(carried), "editions": sorted(previous)},
        message=", ".join(carried),
    )
    links_check_queue_if_changed(
        submission_id=submission.pk,
        questions=[question for question, _value in carried.values()],
        before={},
        after={code: value for code, (_question, value) in carried.items()},
    )
    return len(carried)


def confirmed_when_changed(*, user: User, now) -> dict:
    """The fields an UPDATE of changed answers sets so that changing a carried-over answer
    confirms it (by `user`, `now`), and leaves every other answer's confirmation as it is:
    in the same statement as the change (filling.services.answers_save)."""
    waiting = When(
        carried_from_edition__isnull=False, carried_confirmed_at__isnull=True, then=Value(now)
    )
    by = When(
        carried_from_edition__isnull=False,
        carried_confirmed_at__isnull=True,
        then=Value(user.pk),
    )
    return {
        "carried_confirmed_at": Case(
            waiting,
            default=F("carried_confirmed_at"),
            output_field=Answer._meta.get_field("carried_confirmed_at"),
        ),
        "carried_confirmed_by": Case(
            by,
            default=F("carried_confirmed_by"),
            output_field=Answer._meta.get_field("carried_confirmed_by").target_field,
        ),
    }
