"""The Stata .dta export: the wide columns as labelled variables (see exports.labelled).

Written as Stata 15 (format 119, Unicode): a text longer than a str# holds
(2,045 bytes) is a strL, which holds any answer whole.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from questionnaire.exports.labelled import LabelledExporter
from questionnaire.exports.variables import STATA_LABEL_MAX_CHARS, shortened


class StataDtaExporter(LabelledExporter):
    identifier = "stata_dta"
    verbose_name = _("Stata .dta (one row per country, labelled)")
    extension = "dta"
    content_type = "application/x-stata-dta"
    format_name = "Stata"

    def variable_label(self, column):
        return shortened(f"{column.name}: {column.wording}", max_chars=STATA_LABEL_MAX_CHARS)

    def write_file(self, frame, path, *, columns, names):
        import pyreadstat

        pyreadstat.write_dta(
            frame,
            path,
            file_label=shortened(self.file_label(), max_chars=STATA_LABEL_MAX_CHARS),
            column_labels=[self.variable_label(column) for column in columns],
            version=15,
            variable_value_labels=self.value_labels(columns, names),
        )
