"""Reads for the review console: the submissions list, response rates, who has not answered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, User
from questionnaire.answers import question_is_answered, question_is_shown
from questionnaire.models import Answer, Edition, Submission, SubmissionEvent

Status = Submission.Status
NOT_STARTED = "not_started"
# The order of the columns and of the bar segments on the dashboard.
RATE_KEYS = (NOT_STARTED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED)


def submission_list_queryset(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The submissions list with what its columns need, in a fixed number of queries.

    Answers (only their question and value) and each edition's questions are
    prefetched once for the whole page, so that progress costs no query per row.
    """
    return queryset.select_related("country", "edition").prefetch_related(
        "edition__questions",
        Prefetch(
            "answers",
            queryset=Answer.objects.only("id", "submission_id", "question_id", "value").order_by(),
        ),
    )


def submission_progress(submission: Submission) -> int:
    """Answered shown questions as a percentage of shown questions (prefetched data only)."""
    questions = list(submission.edition.questions.all())
    code_by_id = {question.id: question.code for question in questions}
    values = {
        code_by_id[answer.question_id]: answer.value
        for answer in submission.answers.all()
        if answer.question_id in code_by_id
    }
    shown = [question for question in questions if question_is_shown(question, values)]
    if not shown:
        return 0
    answered = sum(1 for question in shown if question_is_answered(question, values))
    return answered * 100 // len(shown)


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
    """{country id: NOT_STARTED or a status} for the countries with a submission, in one query.

    A draft without a single saved answer counts as not started: opening a step
    creates the draft row, and a country whose officials only looked has not begun.
    Countries without a submission are absent (callers default to NOT_STARTED).
    """
    rows = (
        Submission.objects.filter(edition=edition)
        .annotate(has_answers=Exists(Answer.objects.filter(submission=OuterRef("pk"))))
        .values_list("country_id", "status", "has_answers")
    )
    return {
        country_id: NOT_STARTED if status == Status.DRAFT and not has_answers else status
        for country_id, status, has_answers in rows
    }


def response_rates(*, edition: Edition) -> list[RateRow]:
    """The world, then each UN region followed by its sub-regions, in two queries.

    A country with no submission, or with a draft holding no saved answer, is
    "not started"; a returned one counts as returned until it is submitted again.
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


def countries_not_submitted(*, edition: Edition, region: str = "") -> list[CountryToChase]:
    """Countries that have not submitted (not started, draft or returned), with officials' e-mails.

    Three queries whatever the number of countries.
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
    emails: dict[int, list[str]] = {}
    officials = User.objects.filter(
        country_id__in=[country.id for country in waiting], is_active=True, is_staff=False
    ).values_list("country_id", "role", "email")
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
        )
        for country in waiting
    ]


def rate_label(key: str) -> str:
    """The label of a dashboard column: "Not started" or a status."""
    return _("Not started") if key == NOT_STARTED else Status(key).label
