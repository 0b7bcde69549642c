"""Reading what a section page or its script posts: the page's version and a JSON body."""

from __future__ import annotations

import json
import math
from typing import Any

# The largest version a PositiveIntegerField holds on every database: a bigger one was
# never served by a page, and would fail in the database rather than as bad input.
MAX_VERSION = 2_147_483_647


def version_parsed(raw: Any) -> int | None:
    """The page's version from a form field or a JSON value; None for anything else.

    A JSON number may be a float (1.0 from a script is fine); true/false, fractions,
    Infinity and 1e999 are not versions (int() of an infinite float raises OverflowError).
    """
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        return None
    try:
        version = int(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    return version if 1 <= version <= MAX_VERSION else None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: JSON has no infinity, nor can the database store it
        raise ValueError(f"{text} is too large")
    return number


def json_body(body: bytes) -> Any:
    """The JSON document of an autosave; ValueError for anything that is not plain JSON.

    Refuses NaN/Infinity and numbers too large for a float (they reach the
    answers otherwise), and bodies nested past the interpreter's recursion
    limit (json.loads raises RecursionError, which is not a ValueError).
    """
    try:
        return json.loads(
            body.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except RecursionError:
        raise ValueError("nested too deeply") from None
