"""What a part is called where it has no label of its own: by its name, else by its kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from questionnaire.kinds.registry import KINDS

# By part name: (on the forms and pages, in the PDF, where captions are shorter).
PART_NAME_LABELS = {
    "answer": (_("Answer"), _("Answer")),
    "details": (_("Details and comments"), _("Details")),
    "links": (_("Links: name and URL"), _("Links")),
    "contact": (_("Contact"), _("Contact")),
}


def part_label(part: Mapping[str, Any], *, short: bool = False) -> str:
    """A part definition's caption: its own label, a name-based one, else its kind's label."""
    if part.get("label"):
        return part["label"]
    if part.get("name") in PART_NAME_LABELS:
        return PART_NAME_LABELS[part["name"]][1 if short else 0]
    kind = KINDS.get(part.get("kind", ""))
    return kind.label if kind else part.get("name", "")
