"""Sheets written as CSV or XLSX, and the one place cells are made safe from formulas.

Spreadsheet cells are text typed by officials and must never run as formulas.
In XLSX every text is written as a string cell: only a cell typed as a formula
is evaluated, so text starting with = + - @ is shown exactly as typed. CSV
has no cell types: a cell that a spreadsheet would take for a formula
(starting with = + - @, a tab or a carriage return) gets a leading apostrophe
(OWASP's advice), which then shows in the cell.

XLSX sheets have their header row frozen and bold; date-times are real
date-time cells, in UTC, which their format shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from questionnaire.exports.reading import Exporter, Progress

Row = list[Any]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses a file with a longer cell; the rare longer answer is cut with a note.
XLSX_CELL_MAX = 32_767
# Every date-time exported is in UTC (exports.columns.utc): the cell says so.
XLSX_DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'


def neutralise(value: Any) -> Any:
    """A CSV cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_cell(sheet, value: Any) -> Any:
    """A value for a write-only sheet's row: text as a string cell, a date-time in UTC's
    format, other values as they are."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if not isinstance(value, str):
        return value
    # Control characters cannot be stored in XLSX; show where they were.
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > XLSX_CELL_MAX:
        note = (
            f"\n[… cut here: {len(value)} characters in all, more than a spreadsheet "
            "cell holds. The CSV, JSON, Stata and SPSS exports have the whole answer.]"
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

    def column_widths(self, title: str, header: Row) -> Sequence[float]:
        """The widths (in characters) of an XLSX sheet's columns, in order; () for the default."""
        return ()

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
            # A write-only sheet takes its layout before its first row.
            sheet.freeze_panes = "A2"
            for index, width in enumerate(self.column_widths(title, header), start=1):
                sheet.column_dimensions[get_column_letter(index)].width = width
            sheet.append([_bold(xlsx_cell(sheet, value)) for value in header])
            for row in rows:
                cells = [xlsx_cell(sheet, value) for value in row]
                if cells and cells[-1] is None:
                    # Written, though empty, so that the row spans the header: an empty cell
                    # is otherwise left out, and readers without padding get short rows.
                    cells[-1] = WriteOnlyCell(sheet, value=None)
                    cells[-1].number_format = "@"
                sheet.append(cells)
        workbook.save(out)


def _bold(cell):
    cell.font = Font(bold=True)
    return cell
