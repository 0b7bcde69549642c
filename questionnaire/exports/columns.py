"""The columns of the exports, defined once.

- The per-country columns (COUNTRY_COLUMNS): the CSV and XLSX headers and the
  JSON keys, in the same order. The tidy CSV repeats them on every answer row,
  so it leaves out those only a reader of whole countries needs (the country's
  name, subregion, dates).
- The typed columns of the one-row-per-country exports (wide_columns): those
  country columns, then every part's columns as its kind gives them
  (Kind.wide_columns). The wide XLSX, its codebook, the Stata .dta and the SPSS
  .sav are all written from this one list: same columns, same types, same
  labels.
- The per-question flag `changed_since_previous` (issue 15): on every tidy CSV answer row
  (CHANGED_HEADER) and, for each question continuing one of an earlier edition, as a
  `<question>.changed_since_previous` 0/1 column after its parts in the wide exports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

from questionnaire.carried import changed_since_previous
from questionnaire.exports.reading import items_used, question_text
from questionnaire.kinds import get_kind
from questionnaire.kinds.columns import ColumnType, PartColumn
from questionnaire.selectors import EditionLayout, SubmissionSnapshot


def iso(moment) -> str:
    return moment.isoformat() if moment else ""


def utc(moment: datetime | None) -> datetime | None:
    """A moment as a date-time cell: in UTC, without its zone (no cell format keeps one),
    to the second (spreadsheets keep milliseconds at most; nobody needs them here)."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0) if moment else None


@dataclass(frozen=True)
class CountryColumn:
    header: str  # in the CSV and XLSX
    json_key: str | None  # None: not in the JSON
    value: Callable[[SubmissionSnapshot], Any]
    on_answer_rows: bool = True  # in the tidy CSV too
    # In JSON, when it differs from `value` (null rather than "").
    json_value: Callable[[SubmissionSnapshot], Any] | None = None
    # In the typed exports (XLSX, Stata, SPSS), when it differs from `value`.
    typed_value: Callable[[SubmissionSnapshot], Any] | None = None
    type: ColumnType = ColumnType.TEXT
    # What its cells hold, for the codebook and the variable labels.
    cell: str = ""


COUNTRY_COLUMNS: tuple[CountryColumn, ...] = (
    CountryColumn(
        "country_iso3", "iso3", lambda s: s.country.iso3, cell="the country's ISO 3166 alpha-3 code"
    ),
    CountryColumn(
        "country", "name", lambda s: s.country.name, on_answer_rows=False, cell="the country"
    ),
    CountryColumn("region", "region", lambda s: s.country.region, cell="the country's region"),
    CountryColumn(
        "subregion",
        "subregion",
        lambda s: s.country.subregion,
        on_answer_rows=False,
        cell="the country's sub-region",
    ),
    # The submission's: all statuses may be exported together.
    CountryColumn(
        "status",
        "status",
        lambda s: s.submission.status,
        cell="the submission's status: draft, submitted, returned or accepted",
    ),
    CountryColumn(
        "version",
        "version",
        lambda s: s.submission.version,
        type=ColumnType.INTEGER,
        cell="the version of the answers exported (a save counter)",
    ),
    CountryColumn(
        "submitted_version",
        "submitted_version",
        lambda s: s.submission.submitted_version,
        type=ColumnType.INTEGER,
        cell="the version last submitted; empty if never submitted",
    ),
    CountryColumn(
        "submitted_at",
        "submitted_at",
        lambda s: iso(s.submission.submitted_at),
        on_answer_rows=False,
        json_value=lambda s: iso(s.submission.submitted_at) or None,
        typed_value=lambda s: utc(s.submission.submitted_at),
        type=ColumnType.DATETIME,
        cell="when it was last submitted, in UTC; empty if never submitted",
    ),
    # The last save of the answers or of the submission's status (Submission.updated_at).
    CountryColumn(
        "last_change",
        None,
        lambda s: iso(s.submission.updated_at),
        on_answer_rows=False,
        typed_value=lambda s: utc(s.submission.updated_at),
        type=ColumnType.DATETIME,
        cell="when the answers or the submission's status last changed, in UTC",
    ),
    CountryColumn(
        "consent",
        "consent",
        lambda s: s.submission.consent,
        cell="publication consent: granted, refused, or empty if not yet chosen",
    ),
    # The submitter's interface language (the submitted PDF's): see Submission.language.
    CountryColumn(
        "language",
        "language",
        lambda s: s.submission.language,
        cell="the interface language of the official who submitted (en, fr, es, ru, ar, zh-hans)",
    ),
    # questionnaire.progress's rule, as the officials' overview and the reviewers' pages show
    # it: set on each snapshot by exports.reading (from the values it read, no query more).
    CountryColumn(
        "progress_percent",
        "progress_percent",
        lambda s: s.progress.percent,
        on_answer_rows=False,
        type=ColumnType.INTEGER,
        cell="progress: the applicable questions answered without problems, in % (rounded down)",
    ),
    CountryColumn(
        "questions_answered",
        "questions_answered",
        lambda s: s.progress.done,
        on_answer_rows=False,
        type=ColumnType.INTEGER,
        cell="how many applicable questions are answered without problems",
    ),
    CountryColumn(
        "questions_applicable",
        "questions_applicable",
        lambda s: s.progress.total,
        on_answer_rows=False,
        type=ColumnType.INTEGER,
        cell="how many questions the country's answers make applicable (shown)",
    ),
)


def _chosen(on_answer_rows: bool) -> list[CountryColumn]:
    return [column for column in COUNTRY_COLUMNS if column.on_answer_rows or not on_answer_rows]


def country_headers(*, on_answer_rows: bool = False) -> list[str]:
    return [column.header for column in _chosen(on_answer_rows)]


def country_cells(snapshot: SubmissionSnapshot, *, on_answer_rows: bool = False) -> list[Any]:
    return [column.value(snapshot) for column in _chosen(on_answer_rows)]


def country_json(snapshot: SubmissionSnapshot) -> dict[str, Any]:
    return {
        column.json_key: (column.json_value or column.value)(snapshot)
        for column in COUNTRY_COLUMNS
        if column.json_key
    }


# --- Whether an answer changed since the previous edition (issue 15) ----------

CHANGED_HEADER = "changed_since_previous"
CHANGED_CELL = (
    "1 if the country's answer differs from its answer to the previous edition (carried into"
    " this question's shape), 0 if not; empty when the question is not shown or the country"
    " sent no answers to the previous edition"
)
CHANGED_LABELS = {1: "changed", 0: "unchanged"}


def changed_cells(snapshot: SubmissionSnapshot) -> dict[str, int | None]:
    """{question code: 1, 0 or None} of the snapshot's questions that continue an earlier
    edition's (questionnaire.carried.changed_since_previous over the parts shown); {} when
    the reader did not read the country's earlier answers (snapshot.previous is None)."""
    if snapshot.previous is None:
        return {}
    cells: dict[str, int | None] = {}
    for section in snapshot.sections:
        for question_snapshot in section.questions:
            question = question_snapshot.question
            if not question.lineage:
                continue
            changed = None
            if question_snapshot.shown:
                value = {part.name: part.value for part in question_snapshot.parts}
                changed = changed_since_previous(
                    question=question, value=value, previous=snapshot.previous
                )
            cells[question.code] = None if changed is None else int(changed)
    return cells


# --- The typed columns of the one-row-per-country exports ---------------------


@dataclass(frozen=True)
class Column:
    """A column of the wide XLSX, the .dta and the .sav: a country column or a part's."""

    name: str  # "q1.links.link1.url"
    type: ColumnType
    cell: str  # what its cells hold, in words (the codebook)
    # What it is, in words: the question's number and wording, then the column's caption.
    wording: str
    value_labels: Mapping[int, str] = field(default_factory=dict)
    # A part's column: its question, its part definition and its kind's column.
    question: Any = None
    part: dict | None = None
    part_column: PartColumn | None = None
    country_column: CountryColumn | None = None
    # The changed_since_previous column of this question (the Column's `question`).
    is_changed_flag: bool = False

    @property
    def key(self) -> tuple[str, str, str] | None:
        """(question code, part name, field): where a country's cell is found (part_cells)."""
        if self.part_column is None:
            return None
        return (self.question.code, self.part["name"], self.part_column.field)


ItemsUsed = Mapping[tuple[str, str], int]


def wide_columns(layout: EditionLayout, *, items_by_part: ItemsUsed) -> list[Column]:
    """The country columns, then every part of the edition in order with its kind's columns;
    `items_by_part` is the most items any exported value of a part uses, by (question, part)
    (reading.items_used)."""
    columns = [
        Column(column.header, column.type, column.cell, column.cell, country_column=column)
        for column in COUNTRY_COLUMNS
    ]
    for _section, questions in layout:
        for question in questions:
            wording = f"{question.display_number} {question_text(question)}".strip()
            for part in question.parts:
                kind = get_kind(part["kind"])
                max_items = items_by_part.get((question.code, part["name"]), 0)
                for part_column in kind.wide_columns(part, max_items=max_items):
                    key = (question.code, part["name"], part_column.field)
                    name = ".".join(piece for piece in key if piece)
                    caption = part_column.caption
                    columns.append(
                        Column(
                            name=name,
                            type=part_column.type,
                            cell=part_column.cell,
                            wording=f"{wording} [{caption}]" if caption else wording,
                            value_labels=part_column.value_labels,
                            question=question,
                            part=part,
                            part_column=part_column,
                        )
                    )
            if question.lineage:
                columns.append(
                    Column(
                        name=f"{question.code}.{CHANGED_HEADER}",
                        type=ColumnType.BINARY,
                        cell=CHANGED_CELL,
                        wording=f"{wording} [changed since the previous edition]",
                        value_labels=CHANGED_LABELS,
                        question=question,
                        is_changed_flag=True,
                    )
                )
    return columns


def export_columns(*, submissions: QuerySet, layout: EditionLayout) -> list[Column]:
    """The typed columns for exporting `submissions`: as many items' columns as they use."""
    return wide_columns(layout, items_by_part=items_used(submissions=submissions, layout=layout))


def wide_row(snapshot: SubmissionSnapshot, columns: list[Column]) -> list[Any]:
    """A country's typed cells in `columns`' order; None where it has none (not answered)."""
    cells = dict(part_cells(snapshot))
    changed = changed_cells(snapshot)
    row = []
    for column in columns:
        if column.country_column is not None:
            country = column.country_column
            row.append((country.typed_value or country.value)(snapshot))
        elif column.is_changed_flag:
            row.append(changed.get(column.question.code))
        else:
            row.append(cells.get(column.key))
    return row


def part_cells(snapshot: SubmissionSnapshot) -> Iterator[tuple[tuple[str, str, str], Any]]:
    """((question code, part name, field), cell) of every part shown, as its kind gives them."""
    for section in snapshot.sections:
        for question_snapshot in section.questions:
            for part in question_snapshot.parts:
                for field_name, value in get_kind(part.kind).wide_cells(part):
                    if value not in (None, ""):
                        yield (question_snapshot.question.code, part.name, field_name), value
