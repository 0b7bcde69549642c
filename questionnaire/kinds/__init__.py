"""Answer kinds: what each kind of answer part stores, checks, shows, prints and exports.

A question is made of parts (q6: a yes_no, a text and links); each part has a
kind. A kind (base.Kind) knows its empty value, how to coerce whatever a form
or JSON endpoint posts into its stored shape (keeping what was typed, valid or
not; refusing a value of the wrong type rather than storing it as empty),
which problems block submission, its form and templates, and its export
columns (the tidy CSV's rows; the typed columns of the wide XLSX, Stata and
SPSS files: columns.PartColumn). Adding a kind means adding one module (plus its templates) and
registering it (registry.register).

Stored shapes (docs/msq-2020-questionnaire.md, "Answer shapes"):
- text: "..."
- yes_no: "yes" | "no" | ""
- links: [{"name": "", "url": "", "note": ""}, ...]
- contact: {"name", "title", "organization", "emails": [...], "phone"}
- multi: {"selected": [option codes], "other": ""}
- percentage: {"value": "2.2" (as typed), "comment": ""}

This module re-exports the public API: `from questionnaire.kinds import get_kind`.
"""

from questionnaire.kinds.base import Kind, TextPartForm
from questionnaire.kinds.choice import MultiKind, YesNoKind, YesNoPartForm
from questionnaire.kinds.columns import ColumnType, PartColumn
from questionnaire.kinds.contact import ContactKind, ContactPartForm, email_list
from questionnaire.kinds.labels import part_label
from questionnaire.kinds.links import BaseLinksFormSet, LinkRowForm, LinksKind
from questionnaire.kinds.percentage import PercentageKind, PercentagePartForm
from questionnaire.kinds.problems import (
    EMAILS_MAX,
    LINKS_MAX_ROWS,
    SHORT_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
    InputShapeError,
    LimitProblem,
    Problem,
    newlines_normalised,
)
from questionnaire.kinds.registry import KINDS, get_kind, register, unregister
from questionnaire.kinds.text import TextKind
from questionnaire.kinds.web_addresses import url_href

for _kind in (TextKind(), YesNoKind(), LinksKind(), ContactKind(), MultiKind(), PercentageKind()):
    register(_kind)

__all__ = [
    "EMAILS_MAX",
    "KINDS",
    "LINKS_MAX_ROWS",
    "SHORT_TEXT_MAX_LENGTH",
    "TEXT_MAX_LENGTH",
    "URL_MAX_LENGTH",
    "BaseLinksFormSet",
    "ColumnType",
    "ContactKind",
    "ContactPartForm",
    "InputShapeError",
    "Kind",
    "LimitProblem",
    "LinkRowForm",
    "LinksKind",
    "MultiKind",
    "PartColumn",
    "PercentageKind",
    "PercentagePartForm",
    "Problem",
    "TextKind",
    "TextPartForm",
    "YesNoKind",
    "YesNoPartForm",
    "email_list",
    "get_kind",
    "newlines_normalised",
    "part_label",
    "register",
    "unregister",
    "url_href",
]
