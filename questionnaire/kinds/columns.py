"""The typed columns a kind gives its parts in the one-row-per-country exports.

A kind says, for each column of a part (Kind.wide_columns), what type its
cells have, what they hold (for the codebook) and the labels of its values;
questionnaire.exports.columns turns them into the columns the wide XLSX, the
Stata .dta and the SPSS .sav all write, so that the three never disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class ColumnType(StrEnum):
    """What a column's cells are; the value is how the codebook names the type."""

    TEXT = "text"
    # 1 / 0 with value labels (yes / no, chosen / not chosen); empty when not answered.
    BINARY = "integer 0/1"
    INTEGER = "integer"
    NUMBER = "number"
    # In UTC, without a zone in the cell (no spreadsheet or statistics package keeps one).
    DATETIME = "date-time"


def _labels(labels: Mapping[int, str]) -> Mapping[int, str]:
    return MappingProxyType(dict(labels))


YES_NO_LABELS = _labels({1: "yes", 0: "no"})
CHOSEN_LABELS = _labels({1: "chosen", 0: "not chosen"})


@dataclass(frozen=True)
class PartColumn:
    """One column of a part: "<question>.<part>" followed by ".<field>" when `field` is set."""

    field: str = ""
    type: ColumnType = ColumnType.TEXT
    # What the cells hold, in words, for the codebook.
    cell: str = ""
    # What tells this column from its part's others, added to the question's wording in
    # the variable labels ("link 2: URL", an option's label); "" for a part's only column.
    caption: str = ""
    value_labels: Mapping[int, str] = dataclasses.field(default_factory=lambda: _labels({}))
