"""What text the database cannot store, checked in one place for answers and reviewers' texts."""

from __future__ import annotations

import re
from typing import Any

# PostgreSQL cannot store U+0000 in text or JSON, and a lone surrogate is not text at all
# (only a hand-made JSON body can carry one): refused with a message, never a 500.
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


def contains_unstorable(value: Any) -> bool:
    """Whether a string, or any string inside a stored shape (dicts, lists), holds U+0000 or
    a lone surrogate."""
    if isinstance(value, str):
        return bool(_UNSTORABLE_RE.search(value))
    if isinstance(value, dict):
        return any(contains_unstorable(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_unstorable(item) for item in value)
    return False
