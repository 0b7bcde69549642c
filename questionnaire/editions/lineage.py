"""What a question continues of an earlier edition, and an earlier answer carried into it.

The loader stores on each Question its resolved lineage (editions.lineage_check: which
questions of which earlier edition it continues, and for each of its parts the old question,
part and option renames). Here it is read: `lineage_sources` lists what a question continues,
`lineage_editions` the editions an edition continues, and `carried_value` maps a country's
answers to an earlier edition into a question's shape (the prefill builds on it). Pure
functions over the rows given: no query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from questionnaire.kinds import get_kind
from questionnaire.models import Question

# {question code: {part name: value}} of one submission (as questionnaire.answers reads them).
Values = Mapping[str, Mapping[str, Any]]


class LineageSource(NamedTuple):
    """One question continued: its edition and code, and {new part: {"part": old part,
    "options": {old code: new code or None}}} of the parts carried from it."""

    edition_code: str
    question_code: str
    mapping: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class DroppedChoice:
    """An option chosen in the earlier answer that the question no longer offers (`part` and
    `option` are the earlier question's, to find its label there)."""

    edition_code: str
    question_code: str
    part: str
    option: str


@dataclass
class Carried:
    """An earlier answer in a question's shape: `value` ({part: value}, None if nothing is
    carried) and the choices that could not be (`dropped`), to tell the official."""

    value: dict[str, Any] | None
    dropped: list[DroppedChoice] = field(default_factory=list)


def lineage_sources(*, question: Question) -> list[LineageSource]:
    """The questions `question` continues, in the order the file names them: one for a
    question carried over or split, several for a merge; none for a new question."""
    lineage = question.lineage or {}
    return [
        LineageSource(
            edition_code=lineage["edition"],
            question_code=code,
            mapping={
                name: {"part": carried["part"], "options": carried.get("options", {})}
                for name, carried in lineage["parts"].items()
                if carried["question"] == code
            },
        )
        for code in lineage.get("questions", [])
    ]


def lineage_editions(*, questions: Iterable[Question]) -> list[str]:
    """The editions the questions (an edition's) continue, by code, each once."""
    return sorted({question.lineage["edition"] for question in questions if question.lineage})


def answer_carried(*, question: Question, previous_values: Mapping[str, Values]) -> Carried:
    """The answers of `previous_values` ({edition code: {question code: {part: value}}}: a
    country's answers to the editions continued, as submitted, hidden parts left out) mapped
    into `question`'s parts through its lineage.

    A part is carried when its old part has a value: copied for the same shape, its choices
    renamed where the file maps them; a chosen option with no counterpart is dropped and
    listed in `dropped`. Parts new in the edition, and old parts no new part continues,
    carry nothing. A question without lineage carries nothing.
    """
    value: dict[str, Any] = {}
    dropped: list[DroppedChoice] = []
    parts = {part["name"]: part for part in question.parts}
    for source in lineage_sources(question=question):
        answers = previous_values.get(source.edition_code, {})
        old_value = answers.get(source.question_code) or {}
        for name, carried in source.mapping.items():
            old = old_value.get(carried["part"])
            kind = get_kind(parts[name]["kind"])
            if old is None or kind.is_empty(old):
                continue
            new, lost = kind.carry_over(old, parts[name], carried["options"])
            dropped += [
                DroppedChoice(source.edition_code, source.question_code, carried["part"], option)
                for option in lost
            ]
            if not kind.is_empty(new):
                value[name] = new
    return Carried(value=value or None, dropped=dropped)


def carried_value(*, question: Question, previous_values: Mapping[str, Values]) -> dict | None:
    """{part: value} of the earlier answer carried into `question`, or None if there is none
    (see answer_carried, which also lists the choices dropped)."""
    return answer_carried(question=question, previous_values=previous_values).value
