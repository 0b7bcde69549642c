"""Reads for reminders: who would receive one, what each country still has to complete,
and who was reminded today."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone

from questionnaire.models import Edition, Reminder, Section, Submission
from questionnaire.progress import SectionState, progress_by_submission, progress_of
from questionnaire.review.selectors import CountryToChase, countries_not_submitted


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of `moment`'s day: "the same day" of the once-a-day rule is the
    reviewers' day, and their console is in UTC."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def reminders_today(
    *, edition: Edition, country_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Reminder]:
    """{country id: its latest reminder requested today (UTC)} among `country_ids`, one query."""
    return reminders_latest(
        edition=edition, country_ids=country_ids, since=day_start(now or timezone.now())
    )


@dataclass(frozen=True)
class SectionMissing:
    section: Section
    state: str

    @property
    def state_label(self) -> str:
        return str(SectionState.LABELS[self.state])


def sections_missing(
    *, edition: Edition, country_ids: Iterable[int]
) -> dict[int, list[SectionMissing]]:
    """{country id: the edition's sections not Complete, in order, with their state}, by the
    one progress rule (questionnaire.progress); every section for a country not started.

    Four queries whatever the number of countries.
    """
    country_ids = list(country_ids)
    questions = list(edition.questions.all())
    sections = list(edition.sections.order_by("order"))
    submission_by_country = dict(
        Submission.objects.filter(edition=edition, country_id__in=country_ids).values_list(
            "country_id", "pk"
        )
    )
    progress = progress_by_submission(
        submission_ids=submission_by_country.values(), questions=questions
    )
    nothing_yet = progress_of(questions, {})
    missing: dict[int, list[SectionMissing]] = {}
    for country_id in country_ids:
        states = progress.get(submission_by_country.get(country_id), nothing_yet).section_states
        missing[country_id] = [
            SectionMissing(section=section, state=states.get(section.id, SectionState.NOT_STARTED))
            for section in sections
            if states.get(section.id) != SectionState.COMPLETE
        ]
    return missing


@dataclass
class ReminderTarget:
    """A country chosen for a reminder, as the confirmation page lists it."""

    chase: CountryToChase
    sections_missing: int
    reminded_today: Reminder | None


def reminder_targets(
    *, edition: Edition, country_ids: Iterable[int], now: datetime | None = None
) -> list[ReminderTarget]:
    """The countries among `country_ids` that have not submitted, by name, with their
    officials' addresses, how many sections they still have to complete and their
    reminder of today if any. Countries that have submitted are left out."""
    wanted = set(country_ids)
    chased = [
        item for item in countries_not_submitted(edition=edition) if item.country.id in wanted
    ]
    ids = [item.country.id for item in chased]
    missing = sections_missing(edition=edition, country_ids=ids)
    today = reminders_today(edition=edition, country_ids=ids, now=now)
    return [
        ReminderTarget(
            chase=item,
            sections_missing=len(missing[item.country.id]),
            reminded_today=today.get(item.country.id),
        )
        for item in chased
    ]


def reminders_latest(
    *, edition: Edition, country_ids: Iterable[int], since: datetime | None = None
) -> dict[int, Reminder]:
    """{country id: its latest reminder for `edition` (requested since `since`, if given)}
    among `country_ids`, with who asked for it, in one query."""
    rows = Reminder.objects.filter(edition=edition, country_id__in=list(country_ids))
    if since is not None:
        rows = rows.filter(requested_at__gte=since)
    found: dict[int, Reminder] = {}
    for reminder in rows.select_related("requested_by").order_by("requested_at", "id"):
        found[reminder.country_id] = reminder
    return found
