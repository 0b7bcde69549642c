"""What every kind shares: problems, limits, reading posted values.

A Problem says why a value cannot be submitted; an InputShapeError refuses a
posted value of the wrong type. The `posted_*` helpers read what a form or the
JSON autosave posts, keeping what was typed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

# Limits a draft may hold. Beyond them the save is refused with a message; a
# value is never cut silently.
TEXT_MAX_LENGTH = 20_000
SHORT_TEXT_MAX_LENGTH = 500
URL_MAX_LENGTH = 2_000
LINKS_MAX_ROWS = 100
EMAILS_MAX = 10


class Problem(str):
    """A message explaining why a value cannot be submitted as it stands.

    A str (the message, in the active language) that also carries a `code` saying what
    kind of problem it is, so that code never decides by the message's text, which
    changes with the language: MISSING (a required part left empty), INVALID (a wrong
    value: a bad URL, 120 %), LIMIT (beyond what a draft may hold).

    `field` names the field of the part's form it concerns ("value", "other", "0-url"
    for a links row), so that the section page shows it at that field; empty means the
    part as a whole (its kind's `first_field`). `part` is the part's name, set by
    questionnaire.answers.question_problems.
    """

    MISSING = "missing"
    INVALID = "invalid"
    LIMIT = "limit"

    code = INVALID
    field = ""
    part = ""

    def __new__(cls, message: str, code: str | None = None, *, field: str = ""):
        problem = super().__new__(cls, message)
        if code is not None:
            problem.code = code
        problem.field = field
        return problem


class LimitProblem(Problem):
    """A value beyond what a draft may hold: the save is refused rather than the value cut."""

    code = Problem.LIMIT


class InputShapeError(ValueError):
    """A posted value of the wrong type or shape for its part: a list where text goes, an
    unknown key, an option the part does not have.

    The form pages never post such values; the JSON autosave may. The save is refused as
    a whole: storing the value as empty would silently clear the official's answer.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def as_str(value: Any) -> str:
    """A stored value as text, for display (stored values went through coerce())."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_type(raw: Any) -> str:
    if isinstance(raw, bool):
        return _("true/false")
    if isinstance(raw, list):
        return _("a list")
    if isinstance(raw, dict):
        return _("an object")
    return _("a value of another type")


def _shape_error(field: str, expected: str, raw: Any) -> InputShapeError:
    return InputShapeError(
        _("%(field)s should be %(expected)s, not %(found)s")
        % {"field": field, "expected": expected, "found": _json_type(raw)}
    )


def newlines_normalised(value: Any) -> Any:
    """`value` (text, or a stored shape of lists and dicts) with every line break as "\\n".

    A browser posts a textarea's line breaks as CRLF in a form and as LF from script
    (the autosave), so the same text would be stored two ways, and each save would
    look like a change. Every posted string goes through here (`posted_str`).
    """
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dict):
        return {key: newlines_normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [newlines_normalised(item) for item in value]
    return value


def posted_str(raw: Any, field: str) -> str:
    """Posted text, line breaks as "\\n"; null is empty and a JSON number is kept as written
    (45.5 -> "45.5")."""
    if raw is None or isinstance(raw, str):
        return newlines_normalised(raw or "")
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        return str(raw)
    raise _shape_error(field, _("text"), raw)


def posted_list(raw: Any, field: str) -> list:
    if raw is None:
        return []
    if isinstance(raw, list):
        return raw
    raise _shape_error(field, _("a list"), raw)


def posted_dict(raw: Any, field: str, keys: tuple[str, ...]) -> dict:
    """A posted object whose keys are all known: a misspelt key would otherwise save as empty."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _shape_error(field, _("an object"), raw)
    unknown = sorted(str(key) for key in raw if key not in keys)
    if unknown:
        raise InputShapeError(
            _("%(field)s has no “%(key)s” (it has %(keys)s)")
            % {"field": field, "key": unknown[0][:50], "keys": ", ".join(keys)}
        )
    return raw


def length_problems(label: str, text: str, limit: int, *, field: str = "") -> list[Problem]:
    if len(text) > limit:
        return [
            LimitProblem(
                _("%(label)s is %(length)d characters long; the limit is %(limit)d.")
                % {"label": label, "length": len(text), "limit": limit},
                field=field,
            )
        ]
    return []
