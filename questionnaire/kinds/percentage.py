"""The percentage kind: {"value": "2.2" (as typed), "comment": ""}.

Its number is read here, once, for the form's check and the wide sheet's
numeric cell alike.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaire.kinds.base import Kind
from questionnaire.kinds.changes import text_changes
from questionnaire.kinds.columns import ColumnType, PartColumn
from questionnaire.kinds.problems import (
    SHORT_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Problem,
    length_problems,
    posted_dict,
    posted_str,
)

# A plain decimal as officials write a percentage: ASCII digits, at most one decimal
# mark, "." or "," (most of the world writes 2,5). No sign, exponent or underscore.
_DECIMAL_RE = re.compile(r"(?P<whole>[0-9]*)(?:[.,](?P<fraction>[0-9]+))?", re.ASCII)


def _read_percentage(typed: str) -> Decimal | Problem:
    """The number in a typed percentage ("45,5", " 50 %", "2.2"), or why it is not one.

    One decimal mark, "." or ",": a second one, an exponent ("1e2"), an underscore,
    "nan" or "inf" is not a number as officials write one. A mark followed by exactly
    three zeros after a non-zero whole part ("1,000", "100.000") is most likely a
    thousands separator: read as a decimal it would show one number and mean
    another, so it is refused rather than guessed. Other three-digit fractions
    ("12.375", "1,125") can only be decimals: as thousands they would be 1,000 or
    more, far out of range.
    """
    text = typed.strip().removesuffix("%").rstrip()
    negative = text.startswith("-")
    match = _DECIMAL_RE.fullmatch(text.removeprefix("-"))
    if not text or not match or not (match["whole"] or match["fraction"]):
        return Problem(
            _(
                "“%(value)s” is not a number: write it with the digits 0 to 9 and at most "
                "one decimal mark, like 2.5 or 2,5."
            )
            % {"value": typed[:50]}
        )
    whole, fraction = match["whole"], match["fraction"] or ""
    if fraction == "000" and whole and not whole.startswith("0"):
        return Problem(
            _(
                "“%(value)s” could be read with a thousands separator or with three decimals: "
                "a percentage is between 0 and 100, write its decimals like 12.5 or 12,25."
            )
            % {"value": typed[:50]}
        )
    number = Decimal(f"{whole or 0}.{fraction or 0}")
    if negative or number > 100:
        return Problem(
            _("“%(value)s” is out of range: a percentage is between 0 and 100.")
            % {"value": typed[:50]}
        )
    return number


class PercentageKind(Kind):
    name = "percentage"
    label = _("Percentage")
    display_template = "questionnaire/kinds/percentage.html"
    pdf_template = "pdf/kinds/percentage.html"

    def empty(self):
        return {}

    def coerce(self, raw, part):
        # A bare number or text is the percentage itself.
        raw = raw if isinstance(raw, dict) or raw is None else {"value": raw}
        raw = posted_dict(raw, _("the answer"), ("value", "comment"))
        value = {
            "value": posted_str(raw.get("value"), _("the percentage")).strip(),
            "comment": posted_str(raw.get("comment"), _("the comment")),
        }
        if not value["value"] and not value["comment"].strip():
            return {}
        return value

    def is_empty(self, value):
        return not value or (not value.get("value") and not value.get("comment", "").strip())

    @staticmethod
    def number(value: dict) -> Decimal | None:
        """The typed number as a Decimal, or None when it is not one a percentage can be."""
        read = _read_percentage((value or {}).get("value", ""))
        return read if isinstance(read, Decimal) else None

    def problems(self, value, part):
        found: list[Problem] = []
        typed = value.get("value", "")
        if typed:
            read = _read_percentage(typed)
            if isinstance(read, Problem):
                read.field = "value"
                found.append(read)
        found += length_problems(_("The percentage"), typed, SHORT_TEXT_MAX_LENGTH, field="value")
        found += length_problems(
            _("The comment"), value.get("comment", ""), TEXT_MAX_LENGTH, field="comment"
        )
        return found

    def flatten(self, value, part):
        if value.get("value"):
            yield "value", value["value"]
        if value.get("comment", "").strip():
            yield "comment", value["comment"]

    def describe_change(self, before, after, part):
        before, after = before or {}, after or {}
        return text_changes(
            before.get("value", ""), after.get("value", ""), subject=str(_("the percentage"))
        ) + text_changes(
            before.get("comment", ""), after.get("comment", ""), subject=str(_("the comment"))
        )

    def form_class(self, part, *, value=None, add_row=False):
        return PercentagePartForm

    def form_initial(self, value, part):
        value = value or {}
        return {"value": value.get("value", ""), "comment": value.get("comment", "")}

    def form_raw(self, form, part):
        return {
            "value": form.cleaned_data.get("value", ""),
            "comment": form.cleaned_data.get("comment", ""),
        }

    def wide_columns(self, part, *, max_items=0):
        """Two columns, the number and the comment, so that indicators can be computed."""
        return [
            PartColumn(
                "",
                ColumnType.NUMBER,
                "number: the percentage as typed (45.5 for 45.5 %); empty when what was typed "
                "is not a number, the CSV and JSON exports have it as typed",
            ),
            PartColumn(
                "comment",
                ColumnType.TEXT,
                "text: the comment on the percentage, as typed",
                "comment",
            ),
        ]

    def wide_cells(self, shown_part):
        number = None if shown_part.is_empty else self.number(shown_part.value)
        yield "", None if number is None else float(number)
        yield "comment", dict(shown_part.flat).get("comment")


class PercentagePartForm(forms.Form):
    value = forms.CharField(
        label=_("Percentage (0 to 100, decimals allowed)"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
