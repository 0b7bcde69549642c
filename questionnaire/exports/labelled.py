"""What the Stata and SPSS exports share: the wide columns as labelled variables (pyreadstat).

One row per country, the columns of exports.columns (the wide XLSX's, in the
same order and with the same types): text as strings, 0/1, integers and
numbers as numeric variables (missing when not answered), date-times as
date-time variables in UTC. Each variable is labelled with its column's name and
question wording (shortened to the format's limit: the XLSX codebook has it
whole), 0/1 variables with their value labels (yes / no, chosen / not chosen).

No formula neutralising here (unlike CSV and XLSX): Stata and SPSS read cells
as data, never as formulas, so a text starting with "=" is shown as typed and an
apostrophe would only corrupt it.

pyreadstat writes a whole data frame at once: the 193 rows are gathered first,
column by column (about 20 MB for fully answered long texts), then written.
pandas and pyreadstat are imported only by these exports.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from django.utils.formats import number_format
from django.utils.translation import gettext

from questionnaire.exports.columns import Column, export_columns, wide_row
from questionnaire.exports.reading import Exporter
from questionnaire.exports.variables import column_variable_names
from questionnaire.kinds.columns import ColumnType

NUMERIC = {ColumnType.BINARY, ColumnType.INTEGER, ColumnType.NUMBER}


class ExportRefused(Exception):
    """A value the format cannot hold: the export is refused rather than cut (for the reviewer)."""


class LabelledExporter(Exporter):
    """A statistics package's file; subclasses set the format's limits and call pyreadstat."""

    # The longest text value the format holds, in UTF-8 bytes (None: no limit).
    text_max_bytes: ClassVar[int | None] = None
    format_name: ClassVar[str]

    def variable_label(self, column: Column) -> str:
        raise NotImplementedError

    def write_file(self, frame, path: Path, *, columns: list[Column], names: list[str]) -> None:
        raise NotImplementedError

    def file_label(self) -> str:
        return f"MSQ {self.edition.code}: one row per country; date-times in UTC"

    def write(self, *, submissions, out, progress=None):
        import pandas as pd

        columns = export_columns(submissions=submissions, layout=self.layout)
        names = column_variable_names(columns)
        values: list[list[Any]] = [[] for _column in columns]
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            row = wide_row(snapshot, columns)
            for column, cells, value in zip(columns, values, row, strict=True):
                cells.append(self.cell(column, value, snapshot))
            if progress:
                progress(done)
        frame = pd.DataFrame(
            {
                name: pd.Series(cells, dtype=_dtype(column.type))
                for name, column, cells in zip(names, columns, values, strict=True)
            }
        )
        del values
        with tempfile.TemporaryDirectory(prefix="msq-export-") as directory:
            # pyreadstat writes to a path, not a stream.
            path = Path(directory) / f"export.{self.extension}"
            self.write_file(frame, path, columns=columns, names=names)
            with path.open("rb") as written:
                shutil.copyfileobj(written, out, 1 << 16)

    def cell(self, column: Column, value: Any, snapshot) -> Any:
        """A cell as the variable holds it: "" / NaN / NaT when missing."""
        if column.type in NUMERIC:
            return math.nan if value is None else float(value)
        if column.type == ColumnType.DATETIME:
            return value
        # A kind may give a text column another value (a date): written as its text.
        text = "" if value is None else str(value)
        if self.text_max_bytes and len(text.encode("utf-8")) > self.text_max_bytes:
            raise ExportRefused(
                # In the reviewer's language when the admin's action exports selected rows.
                gettext(
                    "%(country)s's %(column)s is %(characters)s characters (%(bytes)s bytes in"
                    " UTF-8): more than a %(format)s text variable holds (%(limit)s bytes)."
                    " Nothing is cut: use the Stata, CSV or JSON export, which hold it whole."
                )
                % {
                    "country": snapshot.country.name,
                    "column": column.name,
                    "characters": number_format(len(text), force_grouping=True),
                    "bytes": number_format(len(text.encode("utf-8")), force_grouping=True),
                    "format": self.format_name,
                    "limit": number_format(self.text_max_bytes, force_grouping=True),
                }
            )
        return text

    @staticmethod
    def value_labels(columns: list[Column], names: list[str]) -> dict[str, dict[int, str]]:
        return {
            name: dict(column.value_labels)
            for name, column in zip(names, columns, strict=True)
            if column.value_labels
        }


def _dtype(column_type: ColumnType) -> str:
    if column_type in NUMERIC:
        return "float64"
    if column_type == ColumnType.DATETIME:
        return "datetime64[us]"
    return "object"
