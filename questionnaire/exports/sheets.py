"""Sheets written as CSV or XLSX, and the one place cells are made safe from formulas.

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
from collections.abc import Iterator
from typing import Any, ClassVar

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from questionnaire.exports.reading import Exporter, Progress

Row = list[Any]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses a file with a longer cell; the rare longer answer is cut with a note.
XLSX_CELL_MAX = 32_767


def neutralise(value: Any) -> Any:
    """A CSV cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_cell(sheet, value: Any) -> Any:
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
            sheet.append([xlsx_cell(sheet, value) for value in header])
            for row in rows:
                sheet.append([xlsx_cell(sheet, value) for value in row])
        workbook.save(out)
