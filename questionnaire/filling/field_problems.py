"""Which problems the section page shows, and at which field (the GOV.UK error pattern).

A missing answer is not an error while the official is filling in: "This needs an
answer." shows only on a question they started and left incomplete (the review page
lists every missing answer before submission). Wrong values (a bad URL, 120 %) and
values beyond a limit always show, at the input they concern.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from questionnaire.answers import Values, question_is_answered, submission_problems
from questionnaire.kinds import Problem, get_kind
from questionnaire.models import Question


def problems_to_show(questions: Iterable[Question], values: Values) -> dict[str, list[Problem]]:
    """{question code: problems shown on the section page}: every wrong value, and the
    missing answers of questions that hold a value already."""
    questions = list(questions)
    started = {question.code for question in questions if question_is_answered(question, values)}
    shown = {}
    for code, problems in submission_problems(questions, values).items():
        kept = [p for p in problems if p.code != Problem.MISSING or code in started]
        if kept:
            shown[code] = kept
    return shown


def values_as_saved(
    questions: Iterable[Question], raw_values: Mapping[str, Mapping[str, Any]], stored: Values
) -> dict[str, dict]:
    """The answers as a save of `raw_values` (a valid section form's) stores them, over
    `stored`: each posted part coerced by its kind, empty ones dropped."""
    values = {code: dict(value) for code, value in stored.items()}
    for question in questions:
        posted = raw_values.get(question.code)
        if posted is None:
            continue
        parts = {part["name"]: part for part in question.parts}
        merged = values.setdefault(question.code, {})
        for name, raw in posted.items():
            kind = get_kind(parts[name]["kind"])
            value = kind.coerce(raw, parts[name])
            if kind.is_empty(value):
                merged.pop(name, None)
            else:
                merged[name] = value
    return values


def input_id(question_code: str, problem: Problem, kind_name: str) -> str:
    """The id of the input a problem is shown at and the error summary links to."""
    field = problem.field or get_kind(kind_name).first_field
    return f"id_{question_code}-{problem.part}-{field}"


def error_id(target: str) -> str:
    """The id of the message under an input, as crispy-bootstrap5 names it (the input's
    id without a choice's "_<n>", then "_error")."""
    base, _sep, option = target.rpartition("_")
    return f"{base if option.isdigit() else target}_error"


def problems_json(
    questions: Iterable[Question], shown: Mapping[str, list[Problem]]
) -> list[dict[str, str]]:
    """The shown problems in page order, as the autosave answers them to filling.js."""
    found = []
    for question in questions:
        kinds = {part["name"]: part["kind"] for part in question.parts}
        for problem in shown.get(question.code, []):
            target = input_id(question.code, problem, kinds.get(problem.part, "text"))
            found.append(
                {
                    "question": question.code,
                    "number": question.display_number,
                    "code": problem.code,
                    "message": str(problem),
                    "field": target,
                    "error_id": error_id(target),
                }
            )
    return found
