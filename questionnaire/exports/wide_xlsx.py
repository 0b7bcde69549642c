"""The wide XLSX: one row per country, the typed columns of exports.columns, and a codebook."""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from questionnaire.exports.columns import COUNTRY_COLUMNS, Column, export_columns, wide_row
from questionnaire.exports.reading import question_text
from questionnaire.exports.sheets import ListExporter, Row
from questionnaire.exports.variables import column_variable_names
from questionnaire.kinds.columns import ColumnType

# Column widths in characters: wide enough to read a value, narrow enough to scan a row.
WIDTHS = {
    ColumnType.TEXT: 40,
    ColumnType.BINARY: 10,
    ColumnType.INTEGER: 10,
    ColumnType.NUMBER: 12,
    ColumnType.DATETIME: 24,
}
COUNTRY_TEXT_WIDTH = 16
CODEBOOK_WIDTHS: dict[str, float] = {"column": 34, "section": 30, "question": 60, "cell": 50}


def value_labels_text(column: Column) -> str:
    """ "1 = yes; 0 = no": a column's value labels as the codebook lists them."""
    return "; ".join(f"{value} = {label}" for value, label in column.value_labels.items())


class WideXlsxExporter(ListExporter):
    """One row per country: the country columns, then each part's columns as its kind gives
    them (a link's fields for each link, a 0/1 per option, a percentage's number and
    comment...), typed (numbers, 0/1, date-times in UTC); and a codebook sheet listing every
    column with its question, type and values."""

    identifier = "wide_xlsx"
    verbose_name = _("Wide XLSX (one row per country, with a codebook)")
    output = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    COUNTRY_COLUMNS: ClassVar[Row] = [column.header for column in COUNTRY_COLUMNS]

    def sheets(self, submissions, progress):
        # Kept for column_widths(), which _write_xlsx asks before the sheet's first row.
        columns = self._columns = export_columns(submissions=submissions, layout=self.layout)
        header = [column.name for column in columns]
        yield "answers", header, self._answer_rows(submissions, progress, columns)
        yield "codebook", self.CODEBOOK_HEADER, self._codebook_rows(columns)

    def column_widths(self, title, header):
        if title == "codebook":
            return [CODEBOOK_WIDTHS.get(name, 14) for name in header]
        return [
            COUNTRY_TEXT_WIDTH
            if column.country_column and column.type == ColumnType.TEXT
            else WIDTHS[column.type]
            for column in self._columns
        ]

    def _answer_rows(self, submissions, progress, columns):
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            yield wide_row(snapshot, columns)
            if progress:
                progress(done)

    CODEBOOK_HEADER: ClassVar[Row] = [
        "column",
        "variable",
        "question_code",
        "number",
        "section",
        "question",
        "part",
        "part_label",
        "kind",
        "required",
        "type",
        "values",
        "options",
        "shown_if",
        "cell",
    ]

    def _codebook_rows(self, columns: list[Column]):
        sections = {section.id: section for section, _questions in self.layout}
        variables = column_variable_names(columns)
        for column, variable in zip(columns, variables, strict=True):
            described = [column.name, variable]
            if column.question is None:
                yield [*described, *[""] * 8, str(column.type), "", "", "", column.cell]
                continue
            question, part = column.question, column.part
            section = sections[question.section_id]
            if column.is_changed_flag:
                # A question's flag, not a part's: no part, kind or options.
                yield [
                    *described,
                    question.code,
                    question.display_number,
                    f"{section.numeral}. {section.title}",
                    question_text(question),
                    *[""] * 4,
                    str(column.type),
                    value_labels_text(column),
                    "",
                    "",
                    column.cell,
                ]
                continue
            condition = part.get("show_if") or question.show_if
            shown_if = ""
            if condition:
                target = condition.get("question", question.code)
                shown_if = f"{target}.{condition['part']} = {condition['equals']}"
            yield [
                *described,
                question.code,
                question.display_number,
                f"{section.numeral}. {section.title}",
                question_text(question),
                part["name"],
                part.get("label", ""),
                part["kind"],
                "yes" if part.get("required") else "no",
                str(column.type),
                value_labels_text(column),
                "; ".join(f"{o['code']} = {o['label']}" for o in part.get("options", [])),
                shown_if,
                column.cell,
            ]
