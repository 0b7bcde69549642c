"""Answers carried over from a country's previous edition: what they were, which still await
confirmation, and what changed since (issue 15).

Reads only. The mapping of an earlier answer into a question's shape is
questionnaire.editions.lineage's (`answer_carried`); this module reads the earlier
submissions it needs and hands their answers to it. The prefill and the confirmations
that write are questionnaire.filling.carrying's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from questionnaire.answer_changes import PartChanges, answer_changes
from questionnaire.answers import question_is_shown, shown_parts
from questionnaire.editions.lineage import (
    Carried,
    DroppedChoice,
    Values,
    answer_carried,
    lineage_editions,
)
from questionnaire.editions.wording import part_wording
from questionnaire.kinds import get_kind
from questionnaire.models import Answer, Edition, Question, Submission
from questionnaire.selectors import submissions_values
from questionnaire.structure import edition_structure

# The earlier answers carried and compared are those the country sent: a submission still
# (or again) in the country's hands is not what it answered.
PREVIOUS_STATUSES = (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)

# What blocks submitting while the edition asks for carried-over answers to be confirmed.
CARRIED_UNCONFIRMED = _(
    "This answer was carried over from the previous edition: confirm it or change it."
)

# {edition code: {question code: {part: value}}}: a country's answers to the editions continued.
PreviousValues = dict[str, Values]


def values_as_submitted(questions: Iterable[Question], values: Values) -> dict[str, dict]:
    """The answers as the country sent them: hidden questions and parts left out (what
    editions.lineage expects of earlier answers)."""
    kept: dict[str, dict] = {}
    for question in questions:
        if question.code not in values or not question_is_shown(question, values):
            continue
        question_value = values[question.code]
        names = {part["name"] for part in shown_parts(question, question_value)}
        kept[question.code] = {
            name: value for name, value in question_value.items() if name in names
        }
    return kept


def previous_values_by_country(
    *, edition: Edition, country_ids: Iterable[int]
) -> dict[int, PreviousValues]:
    """{country id: {edition code: its answers as sent}} of the countries' submitted or accepted
    submissions to the editions `edition` continues. No query for an edition without lineage;
    three otherwise (editions, submissions, answers) and each earlier edition's structure."""
    codes = lineage_editions(questions=edition_structure(edition=edition).questions)
    country_ids = list(country_ids)
    if not codes or not country_ids:
        return {}
    earlier = {e.pk: e for e in Edition.objects.filter(code__in=codes)}
    rows = list(
        Submission.objects.filter(
            edition_id__in=earlier, country_id__in=country_ids, status__in=PREVIOUS_STATUSES
        ).values_list("pk", "country_id", "edition_id")
    )
    structures = {pk: edition_structure(edition=e) for pk, e in earlier.items()}
    code_by_question_id = {
        question.id: question.code
        for structure in structures.values()
        for question in structure.questions
    }
    values = submissions_values(
        submission_ids=[pk for pk, _c, _e in rows], code_by_question_id=code_by_question_id
    )
    found: dict[int, PreviousValues] = {}
    for pk, country_id, edition_id in rows:
        found.setdefault(country_id, {})[earlier[edition_id].code] = values_as_submitted(
            structures[edition_id].questions, values[pk]
        )
    return found


def previous_values_of(*, edition: Edition, country_id: int) -> PreviousValues:
    """One country's previous_values_by_country ({} when it sent nothing to them)."""
    return previous_values_by_country(edition=edition, country_ids=[country_id]).get(country_id, {})


def carried_parts(question: Question) -> set[str]:
    """The parts of `question` that continue a part of an earlier edition."""
    return set((question.lineage or {}).get("parts", {}))


def changed_since_previous(
    *, question: Question, value: Mapping[str, Any] | None, previous: PreviousValues
) -> bool | None:
    """Whether the answer differs from the earlier answer carried into its shape, over the
    parts that continue one; None when there is nothing to compare (a question new in its
    edition, or no earlier answer sent by the country)."""
    if not question.lineage or question.lineage["edition"] not in previous:
        return None
    carried = answer_carried(question=question, previous_values=previous).value
    return _differs(question=question, value=value, carried=carried)


def _differs(*, question: Question, value: Mapping[str, Any] | None, carried: dict | None) -> bool:
    """Whether `value` differs from `carried` over the parts that continue an earlier one."""
    carried = carried or {}
    names = carried_parts(question)
    kinds = {part["name"]: get_kind(part["kind"]) for part in question.parts}
    now = {
        name: part_value
        for name, part_value in (value or {}).items()
        if name in names and not kinds[name].is_empty(part_value)
    }
    return now != carried


@dataclass(frozen=True)
class Comparison:
    """A question's answer beside the previous edition's, for officials and reviewers: the
    values side by side, and what changed part by part in the words of the submission's
    history (questionnaire.answer_changes), in the active language."""

    question: Question
    edition_year: int
    previous: dict | None
    current: dict
    changed: bool
    parts: list[PartChanges] = field(default_factory=list)
    carried: Carried | None = None
    # The labels, in the active language, of the earlier answer's choices this question no
    # longer offers.
    dropped: list[str] = field(default_factory=list)


def comparison(
    *,
    question: Question,
    value: Mapping[str, Any] | None,
    previous: PreviousValues,
    edition_year: int,
) -> Comparison | None:
    """The question's answer beside the earlier answer carried into its shape; None for a
    question new in its edition or when the country sent no earlier answer."""
    if not question.lineage or question.lineage["edition"] not in previous:
        return None
    carried = answer_carried(question=question, previous_values=previous)
    changed = _differs(question=question, value=value, carried=carried.value)
    current = dict(value or {})
    parts = answer_changes(
        question=question, before=carried.value, after=current, names=carried_parts(question)
    )
    return Comparison(
        question=question,
        edition_year=edition_year,
        previous=carried.value,
        current=current,
        changed=changed,
        parts=parts,
        carried=carried,
    )


def dropped_labels(
    dropped: Iterable[DroppedChoice], *, earlier: Mapping[str, Edition]
) -> list[str]:
    """The labels, as the earlier question offered them and in the active language, of chosen
    options the question no longer offers (from the earlier editions' cached structures)."""
    labels = []
    for choice in dropped:
        structure = edition_structure(edition=earlier[choice.edition_code])
        question = next(q for q in structure.questions if q.code == choice.question_code)
        part = next(p for p in question.parts if p["name"] == choice.part)
        worded = part_wording(question, part)
        options = {option["code"]: option["label"] for option in worded.get("options", [])}
        labels.append(options.get(choice.option, choice.option))
    return labels


def previous_edition_year(*, edition: Edition) -> int | None:
    """The year of the edition `edition` continues (the newest, if several); None if it
    continues none (then without a query; one otherwise)."""
    codes = lineage_editions(questions=edition_structure(edition=edition).questions)
    if not codes:
        return None
    return (
        Edition.objects.filter(code__in=codes)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


@dataclass(frozen=True)
class CarriedMark:
    """An answer of the draft prefilled from an earlier edition, and its confirmation."""

    question_id: int
    edition_year: int
    confirmed_at: Any
    confirmed_by_id: int | None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def edition_continues(*, edition: Edition) -> bool:
    """Whether the edition continues an earlier one (from its cached structure: no query)."""
    return any(question.lineage for question in edition_structure(edition=edition).questions)


def carried_marks(*, submission: Submission) -> dict[int, CarriedMark]:
    """{question id: CarriedMark} of the submission's carried-over answers, in one query
    (none for a draft not saved yet, or of an edition that continues none)."""
    if submission.pk is None or not edition_continues(edition=submission.edition):
        return {}
    rows = (
        Answer.objects.filter(submission_id=submission.pk, carried_from_edition__isnull=False)
        .order_by()
        .values_list(
            "question_id",
            "carried_from_edition__year",
            "carried_confirmed_at",
            "carried_confirmed_by_id",
        )
    )
    return {row[0]: CarriedMark(*row) for row in rows}


def carried_unconfirmed(
    *, questions: Iterable[Question], values: Values, marks: Mapping[int, CarriedMark]
) -> list[Question]:
    """The shown questions whose carried-over answer awaits confirmation, in order."""
    return [
        question
        for question in questions
        if question.id in marks
        and not marks[question.id].is_confirmed
        and question_is_shown(question, values)
    ]


def carried_problems(
    *, submission: Submission, questions: Iterable[Question], values: Values
) -> dict[str, list[str]]:
    """{question code: [message]} of the carried-over answers that block submitting under the
    edition's policy (Edition.carried_over_must_be_confirmed); {} when it does not ask."""
    if not submission.edition.carried_over_must_be_confirmed:
        return {}
    marks = carried_marks(submission=submission)
    if not marks:
        return {}
    return {
        question.code: [str(CARRIED_UNCONFIRMED)]
        for question in carried_unconfirmed(questions=questions, values=values, marks=marks)
    }


@dataclass(frozen=True)
class CarriedQuestion:
    """What a page shows of one question's earlier answer: its carried-over mark (None if it
    was not prefilled) and the answer beside the earlier one (None if there is none)."""

    mark: CarriedMark | None
    compared: Comparison | None

    @property
    def awaits_confirmation(self) -> bool:
        return self.mark is not None and not self.mark.is_confirmed


def carried_for_questions(
    *, submission: Submission, questions: Iterable[Question], values: Values
) -> dict[str, CarriedQuestion]:
    """{question code: CarriedQuestion} of the questions that have an earlier answer or a mark.

    No query for an edition that continues none; five otherwise (the marks, the earlier
    editions, and previous_values_by_country's three)."""
    edition = submission.edition
    codes = lineage_editions(questions=edition_structure(edition=edition).questions)
    if not codes:
        return {}
    earlier = {each.code: each for each in Edition.objects.filter(code__in=codes)}
    if not earlier:
        return {}
    year = max(each.year for each in earlier.values())
    marks = carried_marks(submission=submission)
    previous = previous_values_of(edition=edition, country_id=submission.country_id)
    found = {}
    for question in questions:
        compared = comparison(
            question=question,
            value=values.get(question.code),
            previous=previous,
            edition_year=year,
        )
        if compared is not None and compared.carried.dropped:
            compared = replace(
                compared, dropped=dropped_labels(dropped=compared.carried.dropped, earlier=earlier)
            )
        mark = marks.get(question.id)
        if mark is not None or compared is not None:
            found[question.code] = CarriedQuestion(mark=mark, compared=compared)
    return found


def carried_waiting_by_section(
    *, submission: Submission, sections: Iterable, questions_by_section, values: Values
) -> dict[int, int]:
    """{section id: how many of its shown carried-over answers await confirmation}, in one
    query (none for a draft not saved yet)."""
    marks = carried_marks(submission=submission)
    if not marks:
        return {}
    return {
        section.id: len(
            carried_unconfirmed(
                questions=questions_by_section[section.id], values=values, marks=marks
            )
        )
        for section in sections
    }


def carry_over_year(*, edition: Edition, country_id: int) -> int | None:
    """The year of the earlier edition whose answers a new draft of the country would start
    from; None when nothing would be carried (no lineage, or no answers sent then)."""
    year = previous_edition_year(edition=edition)
    if year is None or not previous_values_of(edition=edition, country_id=country_id):
        return None
    return year


@dataclass(frozen=True)
class CarriedReview:
    """A submission's answers beside the previous edition's, for the reviewers: the
    carried-over answers not yet confirmed, the questions changed since, and how many not."""

    edition_year: int
    waiting: list[Question]
    changed: list[Comparison]
    unchanged: int


def carried_review(*, submission: Submission) -> CarriedReview | None:
    """The CarriedReview of a submission; None if its edition continues none, or the country
    sent nothing to the edition continued and nothing was carried."""
    structure = edition_structure(edition=submission.edition)
    values = submissions_values(
        submission_ids=[submission.pk],
        code_by_question_id={question.id: question.code for question in structure.questions},
    )[submission.pk]
    found = carried_for_questions(
        submission=submission, questions=structure.questions, values=values
    )
    if not found:
        return None
    shown = {q.code for q in structure.questions if question_is_shown(q, values)}
    compared = [
        carried.compared
        for code, carried in found.items()
        if carried.compared is not None and code in shown
    ]
    year = next(iter(found.values()))
    return CarriedReview(
        edition_year=(year.mark or year.compared).edition_year,
        waiting=[
            q
            for q in structure.questions
            if q.code in found and found[q.code].awaits_confirmation and q.code in shown
        ],
        changed=[c for c in compared if c.changed],
        unchanged=sum(1 for c in compared if not c.changed),
    )
