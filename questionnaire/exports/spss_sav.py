"""The SPSS .sav export: the wide columns as labelled variables (see exports.labelled).

SPSS string variables hold at most 32,767 bytes: an answer longer in UTF-8
(over 16,383 Cyrillic or Arabic characters, 10,922 Chinese ones) cannot be
written whole, and the export is refused saying which (the Stata, CSV and JSON
exports hold it).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from questionnaire.exports.labelled import LabelledExporter
from questionnaire.exports.variables import SPSS_LABEL_MAX_BYTES, shortened
from questionnaire.kinds.columns import ColumnType

SPSS_TEXT_MAX_BYTES = 32_767
# SPSS's measurement levels: 0/1 and texts name categories, numbers and dates are scales.
MEASURES = {
    ColumnType.TEXT: "nominal",
    ColumnType.BINARY: "nominal",
    ColumnType.INTEGER: "scale",
    ColumnType.NUMBER: "scale",
    ColumnType.DATETIME: "scale",
}


class SpssSavExporter(LabelledExporter):
    identifier = "spss_sav"
    verbose_name = _("SPSS .sav (one row per country, labelled)")
    extension = "sav"
    content_type = "application/x-spss-sav"
    format_name = "SPSS"
    text_max_bytes = SPSS_TEXT_MAX_BYTES

    def variable_label(self, column):
        return shortened(f"{column.name}: {column.wording}", max_bytes=SPSS_LABEL_MAX_BYTES)

    def write_file(self, frame, path, *, columns, names):
        import pyreadstat

        pyreadstat.write_sav(
            frame,
            path,
            file_label=self.file_label(),
            column_labels=[self.variable_label(column) for column in columns],
            # A note's lines hold 80 characters each.
            note=[
                "Variable labels: each column's name and question wording, shortened",
                "to SPSS's limit; the wide XLSX export's codebook has them whole.",
                "Date-times are in UTC.",
            ],
            variable_value_labels=self.value_labels(columns, names),
            variable_measure={
                name: MEASURES[column.type] for name, column in zip(names, columns, strict=True)
            },
        )
