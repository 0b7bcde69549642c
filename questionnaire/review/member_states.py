"""Reads for the reviewers' submissions list: one row per Member State for an edition.

The list starts from the countries, not from the submissions, so that the
countries that have not started show too (the dashboard's "not started"). Each
row carries the country's status, its progress (questionnaire.progress's rule),
its dates, consent, PDF and the number of open review comments. At most three
queries whatever the number of countries or answers (countries, submissions, the
answers of the submissions whose progress is not remembered yet); filtering and sorting then work on
those rows in memory (193 of them), which is also what lets progress, computed in
Python, be sorted on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from questionnaire.models import Edition, Submission
from questionnaire.progress import progress_remembered
from questionnaire.review.selectors import NOT_STARTED, RATE_KEYS, rate_label
from questionnaire.structure import edition_structure

# Which date the date filter reads.
SUBMITTED = "submitted"
CHANGED = "changed"
DATE_FIELDS = {SUBMITTED: _("Submitted"), CHANGED: _("Last change")}

# The sortable columns: the URL's `sort` value (a leading "-" sorts descending).
SORT_KEYS = ("country", "region", "status", "progress", "changed", "submitted", "comments")
DEFAULT_SORT = "country"


def open_comments_count() -> Count:
    """The number of a submission's open comment threads (replies and resolved threads
    not counted), as an annotation: what is still waiting on the reviewer or the country."""
    return Count(
        "review_comments",
        filter=Q(review_comments__parent__isnull=True, review_comments__resolved_at__isnull=True),
    )


@dataclass(frozen=True)
class ListFilters:
    """The list's filters as chosen; empty values filter nothing."""

    query: str = ""
    status: str = ""
    region: str = ""
    date_field: str = SUBMITTED
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class MemberStateRow:
    country: Country
    status: str  # NOT_STARTED or a Submission.Status (the dashboard's rule)
    status_label: str
    submission: Submission | None
    # questionnaire.progress's percentage; None for a country that has not started.
    progress_percent: int | None
    open_comments: int

    @property
    def updated_at(self) -> datetime | None:
        return self.submission.updated_at if self.submission else None

    @property
    def submitted_at(self) -> datetime | None:
        return self.submission.submitted_at if self.submission else None

    @property
    def dates(self) -> tuple[datetime | None, datetime | None]:
        """The last change and the submission, in the table's order."""
        return self.updated_at, self.submitted_at


@dataclass(frozen=True)
class MemberStatesList:
    edition: Edition
    rows: list[MemberStateRow]  # filtered and sorted
    total: int  # Member States in the edition's list before filtering
    # (key, label, count) per status over the rows filtered by everything but the status.
    status_counts: list[tuple[str, str, int]]
    regions: list[str]


def _rows(*, edition: Edition) -> list[MemberStateRow]:
    """Every Member State's row for `edition`, in at most three queries."""
    countries = list(Country.objects.order_by("name"))
    submissions = {
        submission.country_id: submission
        for submission in Submission.objects.filter(edition=edition)
        .annotate(open_comments=open_comments_count())
        .defer("consent_text")
    }
    progress = progress_remembered(
        submissions=list(submissions.values()),
        edition=edition,
        questions=edition_structure(edition=edition).questions,
    )
    labels = {key: str(rate_label(key)) for key in RATE_KEYS}
    rows = []
    for country in countries:
        submission = submissions.get(country.id)
        if submission is not None:
            # Already read: the template and the PDF link never query them again.
            submission.country = country
            submission.edition = edition
        status = submission.status if submission else NOT_STARTED
        rows.append(
            MemberStateRow(
                country=country,
                status=status,
                status_label=labels[status],
                submission=submission,
                progress_percent=progress[submission.pk].percent if submission else None,
                open_comments=submission.open_comments if submission else 0,
            )
        )
    return rows


def _local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment else None


def _matches(row: MemberStateRow, filters: ListFilters, zone: ZoneInfo) -> bool:
    if filters.region and row.country.region != filters.region:
        return False
    if filters.query:
        needle = filters.query.casefold()
        country = row.country
        names = (country.name, country.official_name, country.iso3, country.iso2)
        if not any(needle in name.casefold() for name in names):
            return False
    if filters.date_from or filters.date_to:
        moment = row.submitted_at if filters.date_field == SUBMITTED else row.updated_at
        # Days as the reviewer reads them: in their own zone.
        day = _local_date(moment, zone)
        if day is None:
            return False
        if filters.date_from and day < filters.date_from:
            return False
        if filters.date_to and day > filters.date_to:
            return False
    return True


def _sort_value(row: MemberStateRow, key: str):
    return {
        "country": lambda: row.country.name.casefold(),
        "region": lambda: (row.country.region, row.country.name.casefold()),
        "status": lambda: RATE_KEYS.index(row.status),
        "progress": lambda: row.progress_percent,
        "changed": lambda: row.updated_at,
        "submitted": lambda: row.submitted_at,
        "comments": lambda: row.open_comments,
    }[key]()


def rows_sorted(rows: list[MemberStateRow], *, sort: str) -> list[MemberStateRow]:
    """`rows` sorted by a SORT_KEYS column ("-" first: descending), then by country name.
    Rows without a value (no submission yet) come last either way."""
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        key, sort = DEFAULT_SORT, DEFAULT_SORT
    descending = sort.startswith("-")
    by_name = sorted(rows, key=lambda row: row.country.name.casefold())
    valued = [row for row in by_name if _sort_value(row, key) is not None]
    empty = [row for row in by_name if _sort_value(row, key) is None]
    # sorted() is stable: equal values keep the countries in alphabetical order.
    return sorted(valued, key=lambda row: _sort_value(row, key), reverse=descending) + empty


def member_states_list(
    *, edition: Edition, filters: ListFilters, sort: str, zone: ZoneInfo
) -> MemberStatesList:
    """Every Member State's row for `edition`, filtered and sorted, with counts per status.

    `zone` is the reviewer's: the date filter's days are theirs. At most three queries.
    """
    rows = _rows(edition=edition)
    matching = [row for row in rows if _matches(row, filters, zone)]
    counts = Counter(row.status for row in matching)
    if filters.status:
        matching = [row for row in matching if row.status == filters.status]
    return MemberStatesList(
        edition=edition,
        rows=rows_sorted(matching, sort=sort),
        total=len(rows),
        status_counts=[(key, str(rate_label(key)), counts[key]) for key in RATE_KEYS],
        regions=sorted({row.country.region for row in rows}),
    )
