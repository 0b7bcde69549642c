"""Reads for "one question across countries": every Member State's answer to one question.

Analysts read the MSQ a question at a time (every country's answer to q15, every
national portal from q1). One row per Member State, those without a submission
or without an answer included, so that the gaps show; counts per choice for the
parts that offer choices (yes/no, multiple choice). Six queries whatever the
number of countries or submissions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from questionnaire.editions.wording import part_wording
from questionnaire.kinds import get_kind
from questionnaire.models import Answer, Edition, Question, Submission
from questionnaire.review.selectors import NOT_STARTED, RATE_KEYS, rate_keys_by_country, rate_label
from questionnaire.selectors import PartSnapshot, edition_for_reviewers, snapshot_build

# What a country's row holds for the question, beside its status.
NO_SUBMISSION = "no_submission"
NOT_SHOWN = "not_shown"
NOT_ANSWERED = "not_answered"
ANSWERED = "answered"


def answer_state_label(state: str) -> str:
    return {
        NO_SUBMISSION: _("No submission"),
        NOT_SHOWN: _("Not asked: depends on an earlier answer"),
        NOT_ANSWERED: _("Not answered"),
        ANSWERED: _("Answered"),
    }[state]


@dataclass(frozen=True)
class AcrossFilters:
    """The view's filters as chosen; an unknown value is ignored (empty: every country)."""

    region: str = ""
    subregion: str = ""
    status: str = ""


@dataclass(frozen=True)
class CountryAnswer:
    country: Country
    status: str  # NOT_STARTED or a Submission.Status (the dashboard's rule)
    status_label: str
    submission_id: int | None
    submitted_at: datetime | None
    state: str  # NO_SUBMISSION, NOT_SHOWN, NOT_ANSWERED or ANSWERED
    # The question's shown parts with their values (none without a submission).
    parts: list[PartSnapshot]

    @property
    def state_label(self) -> str:
        return answer_state_label(self.state)


@dataclass(frozen=True)
class ChoiceCount:
    code: str
    label: str
    count: int
    percent: int  # of the countries that answered the part


@dataclass(frozen=True)
class ChoiceCounts:
    """How many of the listed countries picked each choice of one part."""

    part: dict
    counts: list[ChoiceCount]
    answered: int  # countries whose answer to the part is not empty
    listed: int  # countries in the (filtered) table


@dataclass(frozen=True)
class QuestionAcross:
    edition: Edition
    question: Question
    filters: AcrossFilters
    rows: list[CountryAnswer]
    choice_counts: list[ChoiceCounts]
    regions: list[str]
    # (region, [its sub-regions]) for the sub-region filter's groups.
    subregions: list[tuple[str, list[str]]]
    statuses: list[tuple[str, str]] = field(default_factory=list)


def edition_for_review(*, code: str = "") -> Edition:
    """The edition `code`, or the reviewers' default one (the open edition, else the newest
    closed); 404 if absent."""
    edition = Edition.objects.filter(code=code).first() if code else edition_for_reviewers()
    if edition is None:
        raise Http404
    return edition


def question_for_review(*, edition: Edition, code: str) -> Question:
    """The edition's question `code` with its section; 404 if the edition has none."""
    question = Question.objects.select_related("section").filter(edition=edition, code=code).first()
    if question is None:
        raise Http404
    return question


def status_choices() -> list[tuple[str, str]]:
    """(key, label) of the statuses a country can be in, as the dashboard counts them."""
    return [(key, str(rate_label(key))) for key in RATE_KEYS]


def _filters_valid(
    filters: AcrossFilters, countries: list[Country], statuses: set[str]
) -> AcrossFilters:
    regions = {country.region for country in countries}
    region = filters.region if filters.region in regions else ""
    subregions = {
        country.subregion for country in countries if not region or country.region == region
    }
    return AcrossFilters(
        region=region,
        subregion=filters.subregion if filters.subregion in subregions else "",
        status=filters.status if filters.status in statuses else "",
    )


def _country_rows(
    *, edition: Edition, question: Question, countries: list[Country]
) -> list[CountryAnswer]:
    """One CountryAnswer per country, in three queries (statuses, submissions, answers)."""
    status_by_country = rate_keys_by_country(edition=edition)
    submissions = {
        submission.country_id: submission
        for submission in Submission.objects.filter(edition=edition).only(
            "id", "country_id", "edition_id", "status", "submitted_at"
        )
    }
    # The question's answers, and those of the question it depends on (its show_if).
    codes = {question.code}
    if question.show_if:
        codes.add(question.show_if["question"])
    values: dict[int, dict[str, Any]] = {}
    for submission_id, code, value in Answer.objects.filter(
        submission__edition=edition, question__edition=edition, question__code__in=codes
    ).values_list("submission_id", "question__code", "value"):
        values.setdefault(submission_id, {})[code] = value
    layout = [(question.section, [question])]
    labels = dict(status_choices())
    rows = []
    for country in countries:
        submission = submissions.get(country.id)
        status = status_by_country.get(country.id, NOT_STARTED)
        parts: list[PartSnapshot] = []
        if submission is None:
            state = NO_SUBMISSION
        else:
            submission.edition = edition
            submission.country = country
            snapshot = (
                snapshot_build(
                    submission=submission,
                    layout=layout,
                    values=values.get(submission.id, {}),
                    with_problems=False,
                )
                .sections[0]
                .questions[0]
            )
            parts = snapshot.parts
            if not snapshot.shown:
                state = NOT_SHOWN
            else:
                state = ANSWERED if snapshot.is_answered else NOT_ANSWERED
        rows.append(
            CountryAnswer(
                country=country,
                status=status,
                status_label=labels[status],
                submission_id=submission.id if submission else None,
                submitted_at=submission.submitted_at if submission else None,
                state=state,
                parts=parts,
            )
        )
    return rows


def _percent(count: int, total: int) -> int:
    """count / total in whole percent, halves rounded up (1 of 8 is 13 %, as a reader expects)."""
    if not total:
        return 0
    exact = Decimal(count * 100) / total
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def choice_counts(*, question: Question, rows: list[CountryAnswer]) -> list[ChoiceCounts]:
    """Counts per choice of each part that offers choices, over `rows`, labels in the
    active language; a part left empty or not shown counts as not answered."""
    found = []
    for definition in question.parts:
        kind = get_kind(definition["kind"])
        worded = part_wording(question, definition)
        choices = kind.choices(worded)
        if not choices:
            continue
        picked: Counter[str] = Counter()
        answered = 0
        for row in rows:
            part = next((p for p in row.parts if p.name == definition["name"]), None)
            if part is None or part.is_empty:
                continue
            answered += 1
            picked.update(kind.chosen(part.value, definition))
        found.append(
            ChoiceCounts(
                part=worded,
                counts=[
                    ChoiceCount(
                        code=code,
                        label=str(label),
                        count=picked[code],
                        percent=_percent(picked[code], answered),
                    )
                    for code, label in choices
                ],
                answered=answered,
                listed=len(rows),
            )
        )
    return found


def question_across(
    *, edition: Edition, question: Question, filters: AcrossFilters
) -> QuestionAcross:
    """Every Member State's answer to `question`, filtered by region, sub-region and status,
    with counts per choice over the listed countries. Four queries, however many countries."""
    countries = list(Country.objects.order_by("name"))
    statuses = status_choices()
    filters = _filters_valid(filters, countries, {key for key, _label in statuses})
    regions: dict[str, set[str]] = {}
    for country in countries:
        regions.setdefault(country.region, set()).add(country.subregion)
    listed = [
        country
        for country in countries
        if (not filters.region or country.region == filters.region)
        and (not filters.subregion or country.subregion == filters.subregion)
    ]
    rows = _country_rows(edition=edition, question=question, countries=listed)
    if filters.status:
        rows = [row for row in rows if row.status == filters.status]
    return QuestionAcross(
        edition=edition,
        question=question,
        filters=filters,
        rows=rows,
        choice_counts=choice_counts(question=question, rows=rows),
        regions=sorted(regions),
        subregions=[(region, sorted(regions[region])) for region in sorted(regions)],
        statuses=statuses,
    )


def _ordered_union(sequences: list[list[str]]) -> list[str]:
    """Every key of the sequences once, each new key placed after the key before it in its
    own sequence: links of 1 and of 3 rows give 1.name, 1.url, 2.name, 2.url, 3.name..."""
    merged: list[str] = []
    for sequence in sequences:
        previous = None
        for key in sequence:
            if key not in merged:
                at = len(merged) if previous is None else merged.index(previous) + 1
                merged.insert(at, key)
            previous = key
    return merged


def question_across_sheet(*, across: QuestionAcross) -> tuple[list[str], list[list[Any]]]:
    """The view as one sheet (header, rows) for the CSV and XLSX downloads.

    One column per field of each part, as stored and in English (the part's own
    flattened fields: "links.2.url", "answer.ai" holding the option's label when
    ticked), choices in the edition's order. Dates in ISO 8601 with their offset.
    """
    question = across.question
    part_columns: list[tuple[str, list[str]]] = []
    for definition in question.parts:
        flats = [
            [key for key, _text in part.flat]
            for row in across.rows
            for part in row.parts
            if part.name == definition["name"]
        ]
        codes = [code for code, _label in get_kind(definition["kind"]).choices(definition)]
        # Choices in the edition's order, whoever picked them first.
        keys = sorted(
            _ordered_union(flats),
            key=lambda key: codes.index(key) if key in codes else len(codes),
        )
        part_columns.append((definition["name"], keys))
    header = [
        "country_iso3",
        "country",
        "region",
        "subregion",
        "status",
        "submitted_at",
        "answer_state",
    ]
    for name, keys in part_columns:
        header += [
            f"{question.code}.{name}.{key}" if key else f"{question.code}.{name}" for key in keys
        ]
    rows = []
    for row in across.rows:
        flat_by_part = {part.name: dict(part.flat) for part in row.parts}
        cells: list[Any] = [
            row.country.iso3,
            row.country.name,
            row.country.region,
            row.country.subregion,
            row.status,
            row.submitted_at.isoformat() if row.submitted_at else "",
            row.state,
        ]
        for name, keys in part_columns:
            flat = flat_by_part.get(name, {})
            cells += [flat.get(key, "") for key in keys]
        rows.append(cells)
    return header, rows
