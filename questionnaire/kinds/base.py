"""The Kind base class: everything one kind of answer part knows about itself.

A kind owns its stored shape (empty, coerce, is_empty), what blocks submission
(problems), its form and the template drawing it, its read-only and PDF
templates, its export columns (tidy rows; wide columns with their codebook
text) and its label. Adding a kind is one module with a Kind subclass, its
templates, and `register()` (questionnaire.kinds.registry).

The wide exports (XLSX, Stata, SPSS) ask a kind for its part's typed columns
(wide_columns: kinds.columns.PartColumn) and a country's cells in them
(wide_cells); a kind made of items (links) says how many items a value uses
(item_count) so that the exports give each item its own columns.

The export hooks take a part as the exports read it (selectors.PartSnapshot:
`value`, `definition`, `is_empty`, `flat`), so that additions made to `flat`
on the way (linkcheck's link status) reach every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from questionnaire.kinds.changes import Change, text_changes
from questionnaire.kinds.columns import ColumnType, PartColumn
from questionnaire.kinds.problems import (
    TEXT_MAX_LENGTH,
    LimitProblem,
    Problem,
    as_str,
    posted_str,
)


class Kind:
    """One kind of answer part. Subclasses set `name` and `label` and override the hooks."""

    name: ClassVar[str]
    label: ClassVar[str]
    # Whether its parts list options in the edition file (see check_definition).
    has_options: ClassVar[bool] = False
    # What its wide-sheet cell holds, for the codebook, and its type (see wide_columns).
    wide_cell_text: ClassVar[str] = 'text: one "field: text" a line'
    wide_type: ClassVar[ColumnType] = ColumnType.TEXT
    # Whether its values are made of items (link rows) each given columns of its own:
    # the exports then count the items used (item_count) before writing (wide_columns).
    has_items: ClassVar[bool] = False

    # The templates drawing a part of this kind: in the section form (given `part`, a
    # filling.forms.PartForm, and `item`, its question's form), on the read-only pages
    # (given display_context()) and in the PDF (given `part`, a PartSnapshot, `question`
    # and `pdf`, the pdf_context()).
    form_template: ClassVar[str] = "questionnaire/kinds/form/fields.html"
    display_template: ClassVar[str] = "questionnaire/kinds/text.html"
    pdf_template: ClassVar[str] = "pdf/kinds/_flat.html"
    # The input of its form a problem of the part as a whole ("This needs an answer.")
    # is shown at and linked to, as "<field>" or "<field>_<option>" (Django's ids).
    first_field: ClassVar[str] = "value"

    # --- The stored value ---------------------------------------------------

    def empty(self) -> Any:
        return ""

    def check_definition(self, part: dict) -> list[str]:
        """Problems with a part's definition in an edition file (plain English, for the loader)."""
        return []

    def coerce(self, raw: Any, part: dict) -> Any:
        """The stored shape of a posted value, keeping what was typed even if invalid.

        Raises InputShapeError for a value of the wrong type or shape (JSON only).
        """
        return posted_str(raw, _("the answer"))

    def is_empty(self, value: Any) -> bool:
        return value in (None, "", [], {})

    def problems(self, value: Any, part: dict) -> list[Problem]:
        """What blocks submission of a non-empty value (emptiness is checked by the caller)."""
        return []

    def limit_problems(self, value: Any, part: dict) -> list[LimitProblem]:
        """What is beyond the limits a draft may hold: such a save is refused as a whole."""
        if self.is_empty(value):
            return []
        return [
            problem for problem in self.problems(value, part) if isinstance(problem, LimitProblem)
        ]

    def flatten(self, value: Any, part: dict) -> Iterator[tuple[str, str]]:
        """(sub-field, text) pairs for display and exports; empty values yield nothing."""
        if not self.is_empty(value):
            yield "", as_str(value)

    # --- What changed (the history and the previous edition: answer_changes) --

    def describe_change(self, before: Any, after: Any, part: dict) -> list[Change]:
        """The readable changes (kinds.changes.Change) from one stored value to another, either
        possibly empty; `part` is worded in the active language. By default each flattened
        field is compared as text: added, removed, or changed (word by word when long)."""
        old = dict(self.flatten(before, part)) if not self.is_empty(before) else {}
        new = dict(self.flatten(after, part)) if not self.is_empty(after) else {}
        changes: list[Change] = []
        for field in dict.fromkeys([*old, *new]):
            subject = field or str(_("the answer"))
            changes += text_changes(old.get(field, ""), new.get(field, ""), subject=subject)
        return changes

    # --- Choices (counted per option on the reviewers' question view) --------

    def choices(self, part: dict) -> list[tuple[str, str]]:
        """(code, label) of what a part offers to choose from; empty for free answers."""
        return []

    def chosen(self, value: Any, part: dict) -> list[str]:
        """The codes of choices() that a stored value picks."""
        return []

    # --- Carrying an answer into the next edition (questionnaire.editions.lineage) ---

    def carry_over(
        self, value: Any, part: dict, options: dict[str, str | None]
    ) -> tuple[Any, list[str]]:
        """(value for `part`, codes dropped) of a value of an earlier edition's part of this
        kind. `options` maps old option codes to `part`'s (None: dropped); a code it does not
        name stays as it is if `part` has it. Kinds without options copy the value."""
        return value, []

    # --- Forms and HTML (the filling flow, the read-only pages, the PDF) ----

    def form_class(self, part: dict, *, value: Any = None, add_row: bool = False) -> type:
        """The form (one per part, prefixed by question and part) officials type into.

        `part` is worded in the active language; `value` is the stored one and
        `add_row` asks for one more empty row, for kinds made of rows.
        """
        return TextPartForm

    def form_initial(self, value: Any, part: dict) -> Any:
        return {"value": as_str(value)}

    def form_raw(self, form: forms.Form, part: dict) -> Any:
        """What a valid bound form posted, for coerce(): exactly as typed."""
        return form.cleaned_data.get("value", "")

    def display_context(self, value: Any, part: dict) -> dict:
        return {"value": value, "part": part, "is_empty": self.is_empty(value)}

    def render_html(self, value: Any, part: dict) -> SafeString:
        """The read-only HTML of a stored value; every answer is escaped by the template."""
        return render_to_string(self.display_template, self.display_context(value, part))

    def pdf_context(self, value: Any, part: dict) -> dict:
        """What the PDF template needs beyond the part itself (as `pdf`)."""
        return {}

    # --- Exports --------------------------------------------------------------

    def tidy_items(self, shown_part) -> Iterator[tuple[str, str, str]]:
        """(item, field, text) rows of the tidy CSV, one per value; `item` numbers rows."""
        for field, text in shown_part.flat:
            yield "", field, text

    def item_count(self, value: Any) -> int:
        """How many items (columns' worth) a stored value uses, for kinds with items."""
        return 0

    def wide_columns(self, part: dict, *, max_items: int = 0) -> list[PartColumn]:
        """The part's typed columns in the wide exports; `max_items` is the most items any
        exported value of the part uses (kinds with items give columns for each)."""
        return [PartColumn("", self.wide_type, self.wide_cell_text)]

    def wide_cells(self, shown_part) -> Iterator[tuple[str, Any]]:
        """(field, cell value) of a part's columns in a country's row, as in wide_columns();
        a column it gives no cell is left empty (not answered). By default every flattened
        value, one "field: text" a line (a single value as is)."""
        yield (
            "",
            "\n".join(f"{field}: {text}" if field else text for field, text in shown_part.flat),
        )


# Every field is optional and keeps what was typed (strip=False, no format
# validation): a draft may be incomplete or wrong, problems() says what blocks
# submission. No maxlength attribute either: browsers cut pasted text at it
# silently; the limits are checked on save and explained instead.


def text_help(limit: int):
    return ngettext_lazy("Up to %(limit)d character.", "Up to %(limit)d characters.", "limit") % {
        "limit": limit
    }


class TextPartForm(forms.Form):
    value = forms.CharField(
        label=_("Answer"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=text_help(TEXT_MAX_LENGTH),
    )
