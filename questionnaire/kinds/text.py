"""The text kind: free text, as typed ("..." stored)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from questionnaire.kinds.base import Kind, TextPartForm
from questionnaire.kinds.problems import TEXT_MAX_LENGTH, as_str, length_problems


class TextKind(Kind):
    name = "text"
    label = _("Text")
    display_template = "questionnaire/kinds/text.html"
    pdf_template = "pdf/kinds/text.html"
    wide_cell_text = "text: as typed"

    def problems(self, value, part):
        return length_problems(_("The answer"), as_str(value), TEXT_MAX_LENGTH)

    def form_class(self, part, *, value=None, add_row=False):
        return TextPartForm
