"""Exports of an edition's answers: one small exporter class per format, in one registry.

An exporter turns a queryset of submissions into a file written to a binary
stream. List exporters only say which sheets and rows they produce; their
base class writes them as CSV or as XLSX (openpyxl write-only). JSON and the
ZIP of PDFs write their own stream. Every format reads submissions in chunks
(answers read per chunk) and builds each row from the same
SubmissionSnapshot as the pages and the PDF, so memory stays flat whatever
the number of countries and every format shows the same answers.

Spreadsheet cells are text typed by officials and must never run as formulas.
In XLSX every text is written as a string cell: only a cell typed as a formula
is evaluated, so text starting with = + - @ is shown exactly as typed. CSV
has no cell types: a cell that a spreadsheet would take for a formula
(starting with = + - @, a tab or a carriage return) gets a leading apostrophe
(OWASP's advice), which then shows in the cell.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from linkcheck.exports import snapshots_with_link_status
from questionnaire.kinds import PercentageKind
from questionnaire.models import Edition, Submission
from questionnaire.pdf.services import pdf_read_verified, pdf_render_queue
from questionnaire.selectors import (
    EditionLayout,
    SubmissionSnapshot,
    edition_layout,
    snapshot_build,
    submissions_values,
)

Progress = Callable[[int], None]
Row = list[Any]

# Submissions read per database round trip; their answers are read per chunk.
CHUNK_SIZE = 50
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
JSON_FORMAT = "msq-export/1"


def neutralise(value: Any) -> Any:
    """A CSV cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def submissions_for_export(*, edition: Edition, statuses: Iterable[str] = ()) -> QuerySet:
    """The edition's submissions in the given statuses (all when none are given)."""
    queryset = Submission.objects.filter(edition=edition)
    statuses = list(statuses)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


def snapshots_iter(
    *, submissions: QuerySet, layout: EditionLayout, chunk_size: int = CHUNK_SIZE
) -> Iterator[SubmissionSnapshot]:
    """Snapshots of the submissions in country order, two queries per chunk.

    A chunk's answers are read as plain (submission, question, value) rows, not
    prefetched Answer instances: a prefetched answer points back at its submission,
    and such cycles wait for the cyclic garbage collector, so that every chunk's
    answers stayed in memory a while and the peak grew with the number of countries.
    """
    code_by_question_id = {
        question.id: question.code for _section, questions in layout for question in questions
    }
    submissions_iter = (
        submissions.select_related("edition", "country")
        .order_by("country__name", "id")
        .iterator(chunk_size=chunk_size)
    )
    while chunk := list(islice(submissions_iter, chunk_size)):
        values = submissions_values(
            submission_ids=[submission.pk for submission in chunk],
            code_by_question_id=code_by_question_id,
        )
        for submission in chunk:
            yield snapshot_build(
                submission=submission,
                layout=layout,
                values=values.pop(submission.pk),
                with_problems=False,
            )


def question_text(question) -> str:
    """The whole wording of a question: its group's text, lead-in and own text."""
    return " ".join(part for part in (question.group_text, question.lead_in, question.text) if part)


class Exporter:
    """One export format. Subclasses set the class attributes and implement `write`."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    extension: ClassVar[str]
    content_type: ClassVar[str]

    def __init__(self, *, edition: Edition):
        self.edition = edition
        self.layout = edition_layout(edition=edition)

    def filename(self) -> str:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return f"msq-{self.edition.code}-{self.identifier}-{stamp}.{self.extension}"

    def snapshots(self, submissions: QuerySet) -> Iterator[SubmissionSnapshot]:
        # linkcheck (issue 16): each link carries its last check ("N.link_status"), after its URL.
        return snapshots_with_link_status(
            snapshots_iter(submissions=submissions, layout=self.layout), edition=self.edition
        )

    def write(self, *, submissions: QuerySet, out: IO[bytes], progress: Progress | None = None):
        raise NotImplementedError


class ListExporter(Exporter):
    """An exporter made of sheets of rows; `output` says whether they become CSV or XLSX.

    CSV holds a single sheet (the first one).
    """

    output: ClassVar[str] = "csv"

    def sheets(
        self, submissions: QuerySet, progress: Progress | None
    ) -> Iterator[tuple[str, Row, Iterator[Row]]]:
        """(sheet title, header row, rows) for each sheet, rows produced lazily."""
        raise NotImplementedError

    def write(self, *, submissions, out, progress=None):
        if self.output == "xlsx":
            self._write_xlsx(submissions, out, progress)
        else:
            self._write_csv(submissions, out, progress)

    def csv_chunks(
        self, submissions: QuerySet, progress: Progress | None = None
    ) -> Iterator[bytes]:
        """The CSV file in pieces, header first, rows produced lazily: the export file
        and the API's stream (api/) are both written from this."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        _title, header, rows = next(iter(self.sheets(submissions, progress)))
        writer.writerow(header)
        # utf-8-sig: Excel then reads Cyrillic, Arabic and Chinese correctly.
        yield buffer.getvalue().encode("utf-8-sig")
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([neutralise(value) for value in row])
            yield buffer.getvalue().encode()

    def _write_csv(self, submissions, out, progress):
        for chunk in self.csv_chunks(submissions, progress):
            out.write(chunk)

    def _write_xlsx(self, submissions, out, progress):
        workbook = Workbook(write_only=True)
        for title, header, rows in self.sheets(submissions, progress):
            sheet = workbook.create_sheet(title=title)
            sheet.append([_xlsx_cell(sheet, value) for value in header])
            for row in rows:
                sheet.append([_xlsx_cell(sheet, value) for value in row])
        workbook.save(out)


# Excel refuses a file with a longer cell; the rare longer answer is cut with a note.
XLSX_CELL_MAX = 32_767


def _xlsx_cell(sheet, value: Any) -> Any:
    """A value for a write-only sheet's row: text as a string cell, other values as they are."""
    if not isinstance(value, str):
        return value
    # Control characters cannot be stored in XLSX; show where they were.
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > XLSX_CELL_MAX:
        note = (
            f"\n[… cut here: {len(value)} characters in all, more than a spreadsheet "
            "cell holds. The CSV and JSON exports have the whole answer.]"
        )
        value = value[: XLSX_CELL_MAX - len(note) - 1] + note
    # openpyxl stores a str starting with "=" as a formula; typed back as a string
    # it is plain text, shown exactly as typed and never evaluated, so XLSX needs
    # no apostrophe (which would show in the cell as if the official had typed it).
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


_ITEM_RE = re.compile(r"^(\d+)\.(.+)$")


class TidyCsvExporter(ListExporter):
    """One row per answer value; a links part gives one row per field of each link."""

    identifier = "tidy_csv"
    verbose_name = _("Tidy CSV (one row per answer value)")
    output = "csv"
    extension = "csv"
    content_type = "text/csv"
    HEADER: ClassVar[Row] = [
        "edition",
        "country_iso3",
        "region",
        # The submission's, on every row: all statuses may be exported together.
        "status",
        "version",
        "submitted_version",
        "consent",
        # The submitter's interface language (the submitted PDF's): see Submission.language.
        "language",
        "question_code",
        "number",
        "part",
        "item",
        "field",
        "value",
    ]

    def sheets(self, submissions, progress):
        yield "answers", list(self.HEADER), self._rows(submissions, progress)

    def _rows(self, submissions, progress):
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            submission = snapshot.submission
            country = snapshot.country
            for section in snapshot.sections:
                for question_snapshot in section.questions:
                    question = question_snapshot.question
                    for part in question_snapshot.parts:
                        for field, text in part.flat:
                            item = ""
                            match = _ITEM_RE.match(field)
                            if match:
                                item, field = match.groups()
                            yield [
                                snapshot.edition.code,
                                country.iso3,
                                country.region,
                                submission.status,
                                submission.version,
                                submission.submitted_version,
                                submission.consent,
                                submission.language,
                                question.code,
                                question.display_number,
                                part.name,
                                item,
                                field,
                                text,
                            ]
            if progress:
                progress(done)


def wide_cell(part) -> str:
    """A part's value in one cell: as typed for text and yes/no, else one "field: text" a line."""
    if part.is_empty:
        return ""
    if part.kind in {"text", "yes_no"}:
        return str(part.value)
    return "\n".join(f"{field}: {text}" for field, text in part.flat)


def percentage_number(part) -> float | None:
    """A percentage part's number for a numeric cell: None when what was typed is not one.

    Parsed by the percentage kind itself, so the export reads a number exactly
    as the form's check does.
    """
    if part.is_empty:
        return None
    number = PercentageKind.number(part.value)
    return None if number is None else float(number)


@dataclass(frozen=True)
class WideColumn:
    """A column of the wide sheet: a question part, or one field of it (`field`)."""

    question: Any
    part: dict
    field: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.question.code, self.part["name"], self.field)

    @property
    def name(self) -> str:
        return ".".join(name for name in self.key if name)

    @property
    def cell(self) -> str:
        """What the column's cells hold, for the codebook."""
        if self.field == "comment":
            return "text: the comment on the percentage, as typed"
        return WIDE_CELL_FORMATS.get(self.part["kind"], WIDE_CELL_FIELDS)


WIDE_CELL_FIELDS = 'text: one "field: text" a line'
WIDE_CELL_FORMATS = {
    "text": "text as typed",
    "yes_no": "text: yes or no",
    "percentage": (
        "number: the percentage as typed (45.5 for 45.5 %); empty when what was typed is "
        "not a number, the CSV and JSON exports have it as typed"
    ),
}


class WideXlsxExporter(ListExporter):
    """One row per country, a column per question part, and a codebook sheet.

    A percentage part gets two columns, its number and its comment, so that
    indicators can be computed from the sheet.
    """

    identifier = "wide_xlsx"
    verbose_name = _("Wide XLSX (one row per country, with a codebook)")
    output = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    COUNTRY_COLUMNS: ClassVar[Row] = [
        "country_iso3",
        "country",
        "region",
        "subregion",
        "status",
        "version",
        "submitted_version",
        "submitted_at",
        "consent",
        "language",
    ]

    def columns(self) -> list[WideColumn]:
        """Every part of the edition in order; a percentage adds its comment column."""
        columns = []
        for _section, questions in self.layout:
            for question in questions:
                for part in question.parts:
                    columns.append(WideColumn(question=question, part=part))
                    if part["kind"] == "percentage":
                        columns.append(WideColumn(question=question, part=part, field="comment"))
        return columns

    def sheets(self, submissions, progress):
        columns = self.columns()
        header = [*self.COUNTRY_COLUMNS, *(column.name for column in columns)]
        yield "answers", header, self._answer_rows(submissions, progress, columns)
        yield "codebook", self.CODEBOOK_HEADER, self._codebook_rows(columns)

    @staticmethod
    def part_cells(part) -> Iterator[tuple[str, Any]]:
        """(field, cell value) of a part's columns in a submission's row, as in columns()."""
        if part.kind == "percentage":
            yield "", percentage_number(part)
            yield "comment", dict(part.flat).get("comment", "")
        else:
            yield "", wide_cell(part)

    def _answer_rows(self, submissions, progress, columns):
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            submission = snapshot.submission
            country = snapshot.country
            cells = {
                (question_snapshot.question.code, part.name, field): value
                for section in snapshot.sections
                for question_snapshot in section.questions
                for part in question_snapshot.parts
                for field, value in self.part_cells(part)
            }
            yield [
                country.iso3,
                country.name,
                country.region,
                country.subregion,
                submission.status,
                submission.version,
                submission.submitted_version,
                _iso(submission.submitted_at),
                submission.consent,
                submission.language,
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


def json_part(part: dict) -> dict:
    """A part's definition for the JSON codebook: name, kind, and label / options if any."""
    entry = {"name": part["name"], "kind": part["kind"], "required": bool(part.get("required"))}
    if part.get("label"):
        entry["label"] = part["label"]
    if part.get("options"):
        entry["options"] = [
            {"code": option["code"], "label": option["label"], "other": bool(option.get("other"))}
            for option in part["options"]
        ]
    return entry


class JsonExporter(Exporter):
    """Nested per country and section; schema in docs/exports-json-schema.md."""

    identifier = "json"
    verbose_name = _("JSON (nested per country and section)")
    extension = "json"
    content_type = "application/json"

    def edition_header(self) -> dict:
        return {
            "code": self.edition.code,
            "year": self.edition.year,
            "title": self.edition.title,
            "sections": [
                {
                    "code": section.code,
                    "numeral": section.numeral,
                    "title": section.title,
                    "questions": [
                        {
                            "code": question.code,
                            "number": question.display_number,
                            "text": question_text(question),
                            "kind": question.kind,
                            "parts": [json_part(part) for part in question.parts],
                        }
                        for question in questions
                    ],
                }
                for section, questions in self.layout
            ],
        }

    @staticmethod
    def country_entry(snapshot: SubmissionSnapshot) -> dict:
        submission = snapshot.submission
        country = snapshot.country
        return {
            "iso3": country.iso3,
            "name": country.name,
            "region": country.region,
            "subregion": country.subregion,
            "status": submission.status,
            "version": submission.version,
            "submitted_version": submission.submitted_version,
            "submitted_at": _iso(submission.submitted_at) or None,
            "consent": submission.consent,
            "language": submission.language,
            "sections": {
                section.section.code: {
                    question_snapshot.question.code: {
                        part.name: part.value for part in question_snapshot.parts
                    }
                    for question_snapshot in section.questions
                    if question_snapshot.shown
                }
                for section in snapshot.sections
            },
        }

    def write(self, *, submissions, out, progress=None):
        def put(text: str) -> None:
            out.write(text.encode("utf-8"))

        header = {
            "format": JSON_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "edition": self.edition_header(),
        }
        # The countries are written one at a time: drop the closing brace and open the list.
        put(json.dumps(header, ensure_ascii=False)[:-1] + ', "countries": [')
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            put(("," if done > 1 else "") + "\n")
            put(json.dumps(self.country_entry(snapshot), ensure_ascii=False))
            if progress:
                progress(done)
        put("\n]}\n")


class PdfZipExporter(Exporter):
    """Every rendered PDF in one ZIP, with manifest.csv (country, version, SHA-256)."""

    identifier = "pdf_zip"
    verbose_name = _("ZIP of the PDFs, with a manifest")
    extension = "zip"
    content_type = "application/zip"
    MANIFEST_HEADER: ClassVar[Row] = [
        "country_iso3",
        "country",
        "status",
        "pdf_version",
        "file",
        "sha256",
        "note",
    ]

    def write(self, *, submissions, out, progress=None):
        queryset = submissions.select_related("country").order_by("country__name", "id")
        manifest = io.StringIO()
        writer = csv.writer(manifest)
        writer.writerow(self.MANIFEST_HEADER)
        # PDFs are compressed already: storing them is as small and much faster.
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, submission in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
                country = submission.country
                row = [country.iso3, country.name, submission.status, submission.pdf_version]
                if not submission.pdf:
                    writer.writerow([*row, "", "", "no PDF rendered yet"])
                else:
                    name = f"pdf/{country.iso3}-{self.edition.code}-v{submission.pdf_version}.pdf"
                    content = pdf_read_verified(submission=submission)
                    if content is None:
                        # Gone or not what was rendered: left out, never shipped wrong.
                        pdf_render_queue(submission=submission)
                        writer.writerow(
                            [
                                *row,
                                "",
                                "",
                                "PDF being repaired: file missing or not matching "
                                "its SHA-256; a new rendering is queued",
                            ]
                        )
                    else:
                        archive.writestr(name, content)
                        writer.writerow([*row, name, submission.pdf_sha256, ""])
                if progress:
                    progress(done)
            archive.writestr("manifest.csv", manifest.getvalue().encode("utf-8-sig"))


EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (TidyCsvExporter, WideXlsxExporter, JsonExporter, PdfZipExporter)
}


def exporter_choices() -> list[tuple[str, str]]:
    return [(identifier, exporter.verbose_name) for identifier, exporter in EXPORTERS.items()]
