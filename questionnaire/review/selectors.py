"""Reads for the review console: the submissions list, response rates, who has not answered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, User
from accounts.selectors import country_officials
from questionnaire.models import Edition, Question, Submission, SubmissionEvent
from questionnaire.progress import Progress, progress_by_submission

Status = Submission.Status
NOT_STARTED = "not_started"
# The order of the columns and of the bar segments on the dashboard.
RATE_KEYS = (NOT_STARTED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED)


def submission_list_queryset(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The submissions list with what its columns need (country and edition joined)."""
    return queryset.select_related("country", "edition")


def progress_for_submissions(submissions: Iterable[Submission]) -> dict[int, Progress]:
    """{submission id: Progress} for a page of submissions: one query for their answers'
    values and one for the questions of each edition, whatever the number of rows."""
    by_edition: dict[int, list[int]] = {}
    for submission in submissions:
        by_edition.setdefault(submission.edition_id, []).append(submission.pk)
    found: dict[int, Progress] = {}
    for edition_id, ids in by_edition.items():
        found.update(
            progress_by_submission(
                submission_ids=ids, questions=Question.objects.filter(edition_id=edition_id)
            )
        )
    return found


def status_counts(queryset: QuerySet[Submission]) -> dict[str, int]:
    """{status: number of submissions} over a queryset, every status present, in one query."""
    counts = dict.fromkeys(Status.values, 0)
    for row in queryset.order_by().values("status").annotate(count=Count("id")):
        counts[row["status"]] = row["count"]
    return counts


def submission_events(*, submission: Submission, limit: int = 200) -> list[SubmissionEvent]:
    """The latest events of a submission, oldest first, with their authors and questions."""
    events = list(
        submission.events.select_related("actor", "question").order_by("-created_at", "-id")[:limit]
    )
    events.reverse()
    return events


@dataclass
class RateRow:
    """Counts of countries per state for one group of countries (world, region, sub-region)."""

    label: str
    level: str  # "world", "region" or "subregion"
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts[key] for key in RATE_KEYS)

    @property
    def cells(self) -> list[int]:
        return [self.counts[key] for key in RATE_KEYS]

    @property
    def answered(self) -> int:
        return self.counts[Status.SUBMITTED] + self.counts[Status.ACCEPTED]

    @property
    def answered_percent(self) -> Decimal:
        """Share submitted or accepted, in %: one decimal below 10 %, whole numbers above.

        Whole numbers alone said "0 %" while 1 of 193 had submitted. Rounded down,
        so that the world's bar shows 100 % only once every country has answered.
        """
        if not self.answered:
            return Decimal(0)
        exact = Decimal(self.answered * 100) / self.total
        step = Decimal("0.1") if exact < 10 else Decimal(1)
        return exact.quantize(step, rounding=ROUND_DOWN)


def rate_keys_by_country(*, edition: Edition) -> dict[int, str]:
    """{country id: status} for the countries with a submission, in one query.

    The draft row is created by the first save, so a country with a draft has begun.
    Countries without a submission are absent (callers default to NOT_STARTED).
    """
    return dict(Submission.objects.filter(edition=edition).values_list("country_id", "status"))


def response_rates(*, edition: Edition) -> list[RateRow]:
    """The world, then each UN region followed by its sub-regions, in two queries.

    A country with no submission is "not started"; a returned one counts as returned
    until it is submitted again.
    """
    status_by_country = rate_keys_by_country(edition=edition)
    world = RateRow(label="", level="world")
    regions: dict[str, RateRow] = {}
    subregions: dict[tuple[str, str], RateRow] = {}
    for country_id, region, subregion in Country.objects.order_by(
        "region", "subregion"
    ).values_list("id", "region", "subregion"):
        key = status_by_country.get(country_id, NOT_STARTED)
        region_row = regions.setdefault(region, RateRow(label=region, level="region"))
        subregion_row = subregions.setdefault(
            (region, subregion), RateRow(label=subregion, level="subregion")
        )
        for row in (world, region_row, subregion_row):
            row.counts[key] += 1
    rows = [world]
    for region, region_row in regions.items():
        rows.append(region_row)
        rows.extend(row for (parent, _name), row in subregions.items() if parent == region)
    return rows


@dataclass(frozen=True)
class CountryToChase:
    country: Country
    status: str  # NOT_STARTED or a Submission.Status
    status_label: str
    emails: list[str]
    # questionnaire.progress's percentage (0 for a country that has not started).
    progress_percent: int = 0


def countries_not_submitted(*, edition: Edition, region: str = "") -> list[CountryToChase]:
    """Countries that have not submitted (not started, draft or returned), with officials' e-mails.

    Five queries whatever the number of countries.
    """
    status_by_country = rate_keys_by_country(edition=edition)
    countries = Country.objects.order_by("name")
    if region:
        countries = countries.filter(region=region)
    waiting = [
        country
        for country in countries
        if status_by_country.get(country.id, NOT_STARTED) not in {Status.SUBMITTED, Status.ACCEPTED}
    ]
    submission_by_country = dict(
        Submission.objects.filter(
            edition=edition, country_id__in=[country.id for country in waiting]
        ).values_list("country_id", "pk")
    )
    progress = progress_by_submission(
        submission_ids=submission_by_country.values(), questions=edition.questions.all()
    )
    emails: dict[int, list[str]] = {}
    officials = country_officials(country_ids=[country.id for country in waiting]).values_list(
        "country_id", "role", "email"
    )
    # The focal point first: the one who submits.
    for country_id, _role, email in sorted(
        officials, key=lambda row: (row[1] != User.Role.FOCAL_POINT, row[2])
    ):
        emails.setdefault(country_id, []).append(email)
    labels = {NOT_STARTED: str(rate_label(NOT_STARTED))}
    return [
        CountryToChase(
            country=country,
            status=(status := status_by_country.get(country.id, NOT_STARTED)),
            status_label=labels.get(status) or str(Status(status).label),
            emails=emails.get(country.id, []),
            progress_percent=progress[submission_by_country[country.id]].percent
            if country.id in submission_by_country
            else 0,
        )
        for country in waiting
    ]


def rate_label(key: str) -> str:
    """The label of a dashboard column: "Not started" or a status."""
    return _("Not started") if key == NOT_STARTED else Status(key).label
