"""The per-country columns every export has, defined once: the CSV and XLSX headers and the
JSON keys, in the same order, read from one place.

The tidy CSV repeats them on every answer row, so it leaves out those only a
reader of whole countries needs (the country's name, subregion, date of submission).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from questionnaire.selectors import SubmissionSnapshot


def iso(moment) -> str:
    return moment.isoformat() if moment else ""


@dataclass(frozen=True)
class CountryColumn:
    header: str  # in the CSV and XLSX
    json_key: str
    value: Callable[[SubmissionSnapshot], Any]
    on_answer_rows: bool = True  # in the tidy CSV too
    # In JSON, when it differs from `value` (null rather than "").
    json_value: Callable[[SubmissionSnapshot], Any] | None = None


COUNTRY_COLUMNS: tuple[CountryColumn, ...] = (
    CountryColumn("country_iso3", "iso3", lambda s: s.country.iso3),
    CountryColumn("country", "name", lambda s: s.country.name, on_answer_rows=False),
    CountryColumn("region", "region", lambda s: s.country.region),
    CountryColumn("subregion", "subregion", lambda s: s.country.subregion, on_answer_rows=False),
    # The submission's: all statuses may be exported together.
    CountryColumn("status", "status", lambda s: s.submission.status),
    CountryColumn("version", "version", lambda s: s.submission.version),
    CountryColumn(
        "submitted_version", "submitted_version", lambda s: s.submission.submitted_version
    ),
    CountryColumn(
        "submitted_at",
        "submitted_at",
        lambda s: iso(s.submission.submitted_at),
        on_answer_rows=False,
        json_value=lambda s: iso(s.submission.submitted_at) or None,
    ),
    CountryColumn("consent", "consent", lambda s: s.submission.consent),
    # The submitter's interface language (the submitted PDF's): see Submission.language.
    CountryColumn("language", "language", lambda s: s.submission.language),
)


def _chosen(on_answer_rows: bool) -> list[CountryColumn]:
    return [column for column in COUNTRY_COLUMNS if column.on_answer_rows or not on_answer_rows]


def country_headers(*, on_answer_rows: bool = False) -> list[str]:
    return [column.header for column in _chosen(on_answer_rows)]


def country_cells(snapshot: SubmissionSnapshot, *, on_answer_rows: bool = False) -> list[Any]:
    return [column.value(snapshot) for column in _chosen(on_answer_rows)]


def country_json(snapshot: SubmissionSnapshot) -> dict[str, Any]:
    return {
        column.json_key: (column.json_value or column.value)(snapshot) for column in COUNTRY_COLUMNS
    }
