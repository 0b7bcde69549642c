"""Rules over a set of answers: what is shown, what blocks submission.

Pure functions over questions and stored values (`{question code: {part name:
value}}`), so that the filling flow, the submit service, the PDF and the
exports all apply the same show-if logic and the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from questionnaire.kinds import Problem, get_kind
from questionnaire.models import Question

Values = Mapping[str, Mapping[str, Any]]


def condition_holds(condition: Mapping[str, str] | None, question_value: Mapping[str, Any]) -> bool:
    if not condition:
        return True
    return question_value.get(condition["part"]) == condition["equals"]


def question_is_shown(question: Question, values: Values) -> bool:
    """A question with show_if is shown only while the answer it depends on has the value."""
    condition = question.show_if
    if not condition:
        return True
    return condition_holds(condition, values.get(condition["question"], {}))


def part_is_shown(part: Mapping[str, Any], question_value: Mapping[str, Any]) -> bool:
    return condition_holds(part.get("show_if"), question_value)


def shown_parts(question: Question, question_value: Mapping[str, Any]) -> list[dict]:
    return [part for part in question.parts if part_is_shown(part, question_value)]


def part_value(part: Mapping[str, Any], question_value: Mapping[str, Any]) -> Any:
    """The stored value of a part, or its kind's empty value when nothing was stored."""
    kind = get_kind(part["kind"])
    value = question_value.get(part["name"])
    return kind.empty() if value is None else value


def question_problems(question: Question, values: Values) -> list[Problem]:
    """What blocks submission of one question: missing required parts and invalid values.

    Hidden questions and parts are never a problem: their stored values are
    kept (an official may switch back) but not required or checked.
    """
    if not question_is_shown(question, values):
        return []
    question_value = values.get(question.code, {})
    problems: list[Problem] = []
    for part in shown_parts(question, question_value):
        kind = get_kind(part["kind"])
        value = part_value(part, question_value)
        if kind.is_empty(value):
            found = [Problem(_("This needs an answer."), code=Problem.MISSING)]
            found = found if part.get("required") else []
        else:
            found = kind.problems(value, part)
        for problem in found:
            problem.part = part["name"]
        problems.extend(found)
    return problems


def submission_problems(questions: Iterable[Question], values: Values) -> dict[str, list[Problem]]:
    """{question code: problems} for every question that has any, in questionnaire order."""
    found = {}
    for question in questions:
        problems = question_problems(question, values)
        if problems:
            found[question.code] = problems
    return found


def question_is_answered(question: Question, values: Values) -> bool:
    """Whether any shown part of the question holds a non-empty value."""
    question_value = values.get(question.code, {})
    return any(
        not get_kind(part["kind"]).is_empty(part_value(part, question_value))
        for part in shown_parts(question, question_value)
    )
