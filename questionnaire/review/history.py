"""Reads a submission's history as reviewers read it: who changed what, in words.

The SubmissionEvent rows keep each change's before and after as stored (JSON).
Here they become entries: for a saved answer, per part of its question, what
was added, removed or changed, as its kind describes it (Kind.describe_change:
links item by item, options by their labels in the active language, long text
word by word); for the other events (submitted, returned, consent...), what
happened in words. Nothing here branches on a kind's name.

Newest first, a page at a time, filtered by section and by person; dates in ISO
order in the reviewer's own time zone (User.time_zone).

Filtered by section, the history keeps the whole submission's events (submitted,
returned, accepted, consent, prefilled...), each marked as such: a reviewer
following a section reads its changes against the submission's course ("changed
after it was returned"), and a filter that silently dropped those events would
tell them nothing happened to the submission in between. The person filter
still applies to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.time_zones import iso_with_zone
from questionnaire.answer_changes import PartChanges, answer_changes, as_text
from questionnaire.editions.wording import wording
from questionnaire.kinds.changes import Change, list_changes, text_changes
from questionnaire.models import Question, Section, Submission, SubmissionEvent
from questionnaire.structure import edition_structure

Event = SubmissionEvent.Kind
# A page of the history: enough for a sitting, few enough to read on a phone.
PER_PAGE = 50
# The person filter's value for events no person made (the PDF, the confirmation e-mail).
NOBODY = "none"


@dataclass(frozen=True)
class HistoryEntry:
    event_id: int
    title: str  # what happened ("Answers saved")
    at: datetime
    when: str  # `at` in ISO order in the reader's zone ("2026-11-30 19:40 CET")
    actor: User | None
    question: Question | None
    whole_submission: bool  # an event of the submission as a whole, of no question
    question_text: str
    section: Section | None
    parts: list[PartChanges]
    note: str  # a reason or message, as typed

    @property
    def changes_count(self) -> int:
        return sum(len(part.changes) for part in self.parts)


@dataclass(frozen=True)
class HistoryFilters:
    """The filters as chosen; empty: everything. `person` is a user id or NOBODY."""

    section: str = ""
    person: str = ""


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: Page
    total: int


def history_people(*, submission: Submission) -> list[User]:
    """Everyone who did something to the submission, by e-mail address (one query)."""
    return list(
        User.objects.filter(
            pk__in=submission.events.exclude(actor=None).values("actor_id")
        ).order_by("email")
    )


def history_sections(*, submission: Submission) -> list[Section]:
    """The edition's sections in order (cached: no query while the edition is current)."""
    return list(edition_structure(edition=submission.edition).sections)


def _events(submission: Submission, filters: HistoryFilters) -> QuerySet[SubmissionEvent]:
    events = submission.events.select_related("actor", "question")
    if filters.section:
        # The section's events and the whole submission's (see the module's docstring).
        events = events.filter(
            Q(question__section__code=filters.section)
            | (Q(question=None) & ~Q(kind__in=_OF_A_QUESTION))
        )
    if filters.person == NOBODY:
        events = events.filter(actor=None)
    elif filters.person:
        events = events.filter(actor_id=filters.person)
    return events.order_by("-created_at", "-id")


def submission_history(
    *,
    submission: Submission,
    zone: ZoneInfo,
    filters: HistoryFilters = HistoryFilters(),
    page_number: int | str = 1,
    per_page: int = PER_PAGE,
) -> HistoryPage:
    """One page of the submission's history, newest first, in words (two queries: the
    count and the page's events with their authors and questions). An out-of-range
    page number gives the last page."""
    paginator = Paginator(_events(submission, filters), per_page)
    page = paginator.get_page(page_number)
    structure = edition_structure(edition=submission.edition)
    sections = {section.id: section for section in structure.sections}
    entries = [
        _entry(
            event,
            zone=zone,
            section=sections.get(event.question.section_id) if event.question else None,
        )
        for event in page.object_list
    ]
    return HistoryPage(entries=entries, page=page, total=paginator.count)


def _entry(event: SubmissionEvent, *, zone: ZoneInfo, section: Section | None) -> HistoryEntry:
    question = event.question
    describe = _DESCRIBERS.get(event.kind, _nothing)
    return HistoryEntry(
        event_id=event.pk,
        title=event.get_kind_display(),
        at=event.created_at,
        when=iso_with_zone(event.created_at, zone),
        actor=event.actor,
        question=question,
        whole_submission=question is None and event.kind not in _OF_A_QUESTION,
        question_text=wording(question, "text").text if question else "",
        section=section,
        parts=describe(event),
        note=event.message if event.kind in _NOTED else "",
    )


# --- Each kind of event in words ---------------------------------------------


def _nothing(event: SubmissionEvent) -> list[PartChanges]:
    return []


def _one(changes: list[Change]) -> list[PartChanges]:
    return [PartChanges("", changes)] if changes else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _answer_changes(event: SubmissionEvent) -> list[PartChanges]:
    """Per part of the question, as its kind describes the change (answer_changes); the
    part is not named for a question of one part, whose heading says it all."""
    question = event.question
    if question is None:  # the question left the edition: its values have no parts to read
        return _one(
            text_changes(as_text(event.before), as_text(event.after), subject=_("the answer"))
        )
    parts = answer_changes(question=question, before=_dict(event.before), after=_dict(event.after))
    if len(question.parts) > 1:
        return parts
    return [replace(part, label="") for part in parts]


def _status_changes(event: SubmissionEvent) -> list[PartChanges]:
    labels = dict(Submission.Status.choices)

    def label(value: dict) -> str:
        status = value.get("status", "")
        return str(labels.get(status, status))

    return _one(
        text_changes(label(_dict(event.before)), label(_dict(event.after)), subject=_("the status"))
    )


def _consent_changes(event: SubmissionEvent) -> list[PartChanges]:
    labels = dict(Submission.Consent.choices)
    before, after = _dict(event.before), _dict(event.after)
    return _one(
        text_changes(
            str(labels.get(before.get("consent", ""), "")),
            str(labels.get(after.get("consent", ""), "")),
            subject=_("the publication consent"),
        )
    )


def _comment_changes(event: SubmissionEvent) -> list[PartChanges]:
    return _one(text_changes("", _dict(event.after).get("comment", ""), subject=_("a comment")))


def _focal_point_changes(event: SubmissionEvent) -> list[PartChanges]:
    return _one(
        list_changes(
            _dict(event.before).get("focal_points", []),
            _dict(event.after).get("focal_points", []),
            subject=_("focal point"),
        )
    )


_DESCRIBERS: dict[str, Callable[[SubmissionEvent], list[PartChanges]]] = {
    Event.ANSWERS_SAVED: _answer_changes,
    Event.SUBMITTED: _status_changes,
    Event.RETURNED: _status_changes,
    Event.ACCEPTED: _status_changes,
    Event.REOPENED: _status_changes,
    Event.CONSENT_CHANGED: _consent_changes,
    Event.COMMENTED: _comment_changes,
    Event.FOCAL_POINT_CHANGED: _focal_point_changes,
}
# Events whose message is written by a person or says what went wrong. The others' say
# nothing more (an answers' save keeps "v3→v4" there, an internal counter; a focal-point
# change, its addresses in English, which its changes show).
_NOTED = {Event.REOPENED, Event.PDF_FAILED, Event.RETURNED}
# Events always of one question: without it (the question has left the edition since),
# they are of no section, yet not of the whole submission. A comment or thread event
# without a question is a remark on the whole submission.
_OF_A_QUESTION = {Event.ANSWERS_SAVED, Event.CARRIED_CONFIRMED}
