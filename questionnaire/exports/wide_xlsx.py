"""The wide XLSX: one row per country, the columns each kind gives its parts, and a codebook."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from questionnaire.exports.columns import country_cells, country_headers
from questionnaire.exports.reading import question_text
from questionnaire.exports.sheets import ListExporter, Row
from questionnaire.kinds import get_kind


@dataclass(frozen=True)
class WideColumn:
    """A column of the wide sheet: a question part, or one field of it (`field`)."""

    question: Any
    part: dict
    field: str = ""
    # What the column's cells hold, for the codebook (from the part's kind).
    cell: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.question.code, self.part["name"], self.field)

    @property
    def name(self) -> str:
        return ".".join(name for name in self.key if name)


class WideXlsxExporter(ListExporter):
    """One row per country, a column per question part (or more: a percentage part gets
    its number and its comment, so that indicators can be computed), and a codebook sheet."""

    identifier = "wide_xlsx"
    verbose_name = _("Wide XLSX (one row per country, with a codebook)")
    output = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    COUNTRY_COLUMNS: ClassVar[Row] = country_headers()

    def columns(self) -> list[WideColumn]:
        """Every part of the edition in order, each with the columns its kind gives it."""
        return [
            WideColumn(question=question, part=part, field=field, cell=cell)
            for _section, questions in self.layout
            for question in questions
            for part in question.parts
            for field, cell in get_kind(part["kind"]).wide_columns(part)
        ]

    def sheets(self, submissions, progress):
        columns = self.columns()
        header = [*self.COUNTRY_COLUMNS, *(column.name for column in columns)]
        yield "answers", header, self._answer_rows(submissions, progress, columns)
        yield "codebook", self.CODEBOOK_HEADER, self._codebook_rows(columns)

    @staticmethod
    def part_cells(part) -> Iterator[tuple[str, Any]]:
        """(field, cell value) of a part's columns in a submission's row, as in columns()."""
        return get_kind(part.kind).wide_cells(part)

    def _answer_rows(self, submissions, progress, columns):
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            cells = {
                (question_snapshot.question.code, part.name, field): value
                for section in snapshot.sections
                for question_snapshot in section.questions
                for part in question_snapshot.parts
                for field, value in self.part_cells(part)
            }
            yield [
                *country_cells(snapshot),
                *(cells.get(column.key, "") for column in columns),
            ]
            if progress:
                progress(done)

    CODEBOOK_HEADER: ClassVar[Row] = [
        "column",
        "question_code",
        "number",
        "section",
        "question",
        "part",
        "part_label",
        "kind",
        "required",
        "options",
        "shown_if",
        "cell",
    ]

    def _codebook_rows(self, columns):
        sections = {section.id: section for section, _questions in self.layout}
        for column in columns:
            question, part = column.question, column.part
            section = sections[question.section_id]
            condition = part.get("show_if") or question.show_if
            shown_if = ""
            if condition:
                target = condition.get("question", question.code)
                shown_if = f"{target}.{condition['part']} = {condition['equals']}"
            yield [
                column.name,
                question.code,
                question.display_number,
                f"{section.numeral}. {section.title}",
                question_text(question),
                part["name"],
                part.get("label", ""),
                part["kind"],
                "yes" if part.get("required") else "no",
                "; ".join(f"{o['code']} = {o['label']}" for o in part.get("options", [])),
                shown_if,
                column.cell,
            ]
