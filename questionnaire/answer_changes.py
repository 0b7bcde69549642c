"""What changed from one answer to a question to another, in words, part by part.

The one diff in words of the portal: the reviewers' history (questionnaire.review.history)
and an answer beside the previous edition's (questionnaire.carried) both read it, so that
a change reads the same wherever it is shown. Each part's kind says what changed
(Kind.describe_change: links item by item, options by their labels, long text word by
word), given its definition worded in the active language (questionnaire.editions.wording);
kinds.changes.Change.as_html makes it HTML, every value escaped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from questionnaire.editions.wording import part_wording
from questionnaire.kinds import KINDS, part_label
from questionnaire.kinds.changes import Change, text_changes
from questionnaire.models import Question


@dataclass(frozen=True)
class PartChanges:
    """The changes of one part of a question; `label` is its caption in the active language
    ("" where the caption goes without saying: the history of a question of one part)."""

    label: str
    changes: list[Change]


def as_text(value: Any) -> str:
    """A stored value no kind reads, as text ("" for an empty one)."""
    return "" if value in (None, "", [], {}) else str(value)


def _described(worded: Mapping[str, Any], before: Any, after: Any) -> list[Change]:
    """A part's changes as its kind describes them (`worded`: its definition in the active
    language); a part whose kind is no longer known, or whose stored shape its kind cannot
    read, is compared as text."""
    kind = KINDS.get(worded.get("kind", ""))
    if kind is not None:
        try:
            return kind.describe_change(
                kind.empty() if before is None else before,
                kind.empty() if after is None else after,
                worded,
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            pass  # a shape the kind never stored: shown as it is, below
    return text_changes(as_text(before), as_text(after), subject=str(_("the answer")))


def answer_changes(
    *,
    question: Question,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    names: Collection[str] | None = None,
) -> list[PartChanges]:
    """Per part of `question` (of those `names` lists, if given), in the question's order, what
    changed from `before` to `after` ({part name: stored value}); parts unchanged are left out."""
    before, after = before or {}, after or {}
    found = []
    for part in question.parts:
        if names is not None and part["name"] not in names:
            continue
        old, new = before.get(part["name"]), after.get(part["name"])
        if old == new:
            continue
        worded = part_wording(question, part)
        changes = _described(worded, old, new)
        if changes:
            found.append(PartChanges(part_label(worded), changes))
    return found
