"""Reads of the questionnaire: editions, sections and each country's submission.

Every country-facing read of a submission goes through
`submission_for_country`, which scopes by the official's own country.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max
from django.http import Http404

from accounts.models import Country
from questionnaire.answers import part_value, question_is_shown, question_problems, shown_parts
from questionnaire.editions.states import PAST_STATES, EditionState
from questionnaire.kinds import get_kind
from questionnaire.models import Answer, Edition, Question, Section, Submission, SubmissionEvent
from questionnaire.structure import edition_structure


class NoOpenEditionError(Exception):
    """No edition is open: officials get a page saying so (questionnaire.filling.no_edition),
    never a 404 or a 500."""


def edition_open() -> Edition | None:
    """The open edition (at most one: a constraint), or None between editions. One query."""
    return Edition.objects.filter(state=EditionState.OPEN).first()


def edition_current() -> Edition:
    """The edition officials answer now: the open one. NoOpenEditionError if none is open.

    The one rule for "which edition officials fill in" (docs/editions.md): a reviewer
    opens it in the admin (questionnaire.editions.lifecycle); no setting chooses it.
    """
    edition = edition_open()
    if edition is None:
        raise NoOpenEditionError
    return edition


def edition_last_closed() -> Edition | None:
    """The newest closed edition (what the page between editions speaks of), or None."""
    return Edition.objects.filter(state=EditionState.CLOSED).order_by("-year", "-id").first()


def edition_for_reviewers() -> Edition | None:
    """The edition the reviewers' pages show by default: the open one, else the newest closed
    (reviewers go on after a close), else the newest that is not archived (a planned one).
    Archived editions are shown only when asked for by code."""
    editions = Edition.objects.exclude(state=EditionState.ARCHIVED).order_by("-year", "-id")
    return edition_open() or editions.filter(state=EditionState.CLOSED).first() or editions.first()


def submissions_past_for_country(*, country: Country) -> list[Submission]:
    """The country's submissions to closed and archived editions (drafts too), newest edition
    first: the officials' "Past editions". One query."""
    return list(
        Submission.objects.select_related("edition", "country")
        .filter(country=country, edition__state__in=PAST_STATES)
        .order_by("-edition__year", "-edition__id")
    )


def submission_past_for_country(*, country: Country, edition_code: str) -> Submission:
    """The country's submission to the closed or archived edition `edition_code`; 404 for
    any other edition (open, planned, unknown) or if the country has none there."""
    submission = (
        Submission.objects.select_related("edition", "country")
        .filter(country=country, edition__code=edition_code, edition__state__in=PAST_STATES)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def submission_for_country(*, edition: Edition, country: Country) -> Submission | None:
    """The country's submission to the edition, or None if it has not started one."""
    return (
        Submission.objects.select_related("edition", "country")
        .filter(edition=edition, country=country)
        .first()
    )


def submission_review_outcome(*, submission: Submission | None) -> SubmissionEvent | None:
    """The reviewers' decision that explains the submission's current status, for its officials.

    The last status change, if it was a reopening (status draft: its reason says why)
    or an acceptance; None otherwise (and for no submission). One query.
    """
    if submission is None:
        return None
    Kind = SubmissionEvent.Kind
    last_change = (
        submission.events.filter(
            kind__in=[Kind.SUBMITTED, Kind.RETURNED, Kind.ACCEPTED, Kind.REOPENED]
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if last_change is None or last_change.kind not in {Kind.REOPENED, Kind.ACCEPTED}:
        return None
    return last_change


def submission_ordinal(*, submission: Submission, version: int) -> tuple[int, datetime | None]:
    """(number, date) of the submission recorded at `version`, as officials count them.

    The current one is stored on the row; an earlier one (the PDF still on file while a
    new submission's is rendered) is counted from the SUBMITTED events, in one query.
    """
    if version == submission.submitted_version and submission.submission_number:
        return submission.submission_number, submission.submitted_at
    earlier = submission.events.filter(
        kind=SubmissionEvent.Kind.SUBMITTED, version__lte=version
    ).aggregate(number=Count("id"), at=Max("created_at"))
    return max(earlier["number"], 1), earlier["at"] or submission.submitted_at


def submission_current_for_country_id(*, country_id: int) -> Submission | None:
    """The country's submission to the open edition with its edition and country, in one
    query (no separate read of the edition or the country), or None if it has not started."""
    return (
        Submission.objects.select_related("edition", "country")
        .filter(edition__state=EditionState.OPEN, country_id=country_id)
        .first()
    )


def section_questions(*, edition: Edition, code: str) -> list[Question]:
    """The questions of the edition's section `code`, in order, from the edition's cached
    structure (no query while it is current); 404 if the edition has no such section."""
    structure = edition_structure(edition=edition)
    section = structure.section(code)
    if section is None:
        raise Http404
    return list(structure.questions_by_section[section.id])


def submission_values(*, submission: Submission) -> dict[str, dict]:
    """{question code: stored value} of a submission, in one query; none for a draft not
    saved yet (the country has not started)."""
    if submission.pk is None:
        return {}
    return dict(submission.answers.values_list("question__code", "value"))


def submission_answers(*, submission: Submission) -> dict[int, tuple[int, dict]]:
    """{question id: (answer id, stored value)} of a saved submission, in one query without
    a join (the codes come from the edition's cached structure)."""
    rows = Answer.objects.filter(submission_id=submission.pk).order_by()
    return {
        question_id: (answer_id, value)
        for answer_id, question_id, value in rows.values_list("id", "question_id", "value")
    }


def submissions_values(
    *, submission_ids: Iterable[int], code_by_question_id: Mapping[int, str]
) -> dict[int, dict[str, dict]]:
    """{submission id: {question code: stored value}} for many submissions, in one query.

    `code_by_question_id` are the questions read once by the caller (an edition's):
    answers to other questions are left out, and no question row is joined.
    """
    values: dict[int, dict[str, dict]] = {pk: {} for pk in submission_ids}
    # No ordering: the default one would join the question table for nothing.
    answers = (
        Answer.objects.filter(submission_id__in=list(values))
        .order_by()
        .values_list("submission_id", "question_id", "value")
    )
    for submission_id, question_id, value in answers:
        if question_id in code_by_question_id:
            values[submission_id][code_by_question_id[question_id]] = value
    return values


@dataclass(frozen=True)
class PartSnapshot:
    name: str
    kind: str
    label: str
    definition: dict
    value: Any
    is_empty: bool
    # (sub-field, text) pairs from the kind's flatten(): what displays and exports show.
    flat: list[tuple[str, str]]


@dataclass(frozen=True)
class QuestionSnapshot:
    question: Question
    shown: bool
    parts: list[PartSnapshot]
    problems: list[str]

    @property
    def is_answered(self) -> bool:
        return any(not part.is_empty for part in self.parts)


@dataclass(frozen=True)
class SectionSnapshot:
    section: Section
    questions: list[QuestionSnapshot]


@dataclass(frozen=True)
class SubmissionSnapshot:
    """Everything needed to show, print or export a submission, read once.

    The PDF, the read-only pages and the exports are built from this, so they
    all show the same thing: only shown questions and parts, values as stored.
    """

    submission: Submission
    edition: Edition
    country: Country
    sections: list[SectionSnapshot]
    # The questionnaire.progress.Progress of these answers, when the reader computed it (the
    # exports do, from the values they read). Not typed here: questionnaire.progress reads
    # through this module.
    progress: Any = None
    # The country's answers to the editions this one continues, {edition code: {question
    # code: {part: value}}} (questionnaire.carried), when the reader read them (the exports
    # do, per chunk, for their changed_since_previous flags); None otherwise.
    previous: Any = None

    @property
    def problems(self) -> dict[str, list[str]]:
        return {
            snapshot.question.code: snapshot.problems
            for section in self.sections
            for snapshot in section.questions
            if snapshot.problems
        }


def submission_snapshot(*, submission: Submission) -> SubmissionSnapshot:
    """A SubmissionSnapshot in three queries, whatever the number of answers."""
    edition = submission.edition
    values = submission_values(submission=submission)
    return snapshot_build(
        submission=submission, layout=edition_layout(edition=edition), values=values
    )


EditionLayout = list[tuple[Section, list[Question]]]


def edition_layout(*, edition: Edition) -> EditionLayout:
    """The edition's sections, each with its questions in order, from the edition's cached
    structure (no query while it is current, two otherwise).

    Read once and shared by every snapshot of a bulk read (exports, bulk PDFs).
    """
    structure = edition_structure(edition=edition)
    return [
        (section, list(structure.questions_by_section[section.id]))
        for section in structure.sections
    ]


def snapshot_build(
    *,
    submission: Submission,
    layout: EditionLayout,
    values: dict[str, dict],
    with_problems: bool = True,
    progress: Any = None,
    previous: Any = None,
) -> SubmissionSnapshot:
    """A SubmissionSnapshot from values already read: no query (submission.country is used).

    `with_problems=False` leaves each question's `problems` empty: the exports never
    show them, and checking every value was half the time of an export."""
    edition = submission.edition
    section_snapshots = []
    for section, questions in layout:
        question_snapshots = []
        for question in questions:
            question_value = values.get(question.code, {})
            shown = question_is_shown(question, values)
            parts = []
            if shown:
                for part in shown_parts(question, question_value):
                    kind = get_kind(part["kind"])
                    value = part_value(part, question_value)
                    empty = kind.is_empty(value)
                    parts.append(
                        PartSnapshot(
                            name=part["name"],
                            kind=part["kind"],
                            label=part.get("label", ""),
                            definition=part,
                            value=value,
                            is_empty=empty,
                            flat=[] if empty else list(kind.flatten(value, part)),
                        )
                    )
            question_snapshots.append(
                QuestionSnapshot(
                    question=question,
                    shown=shown,
                    parts=parts,
                    problems=[str(problem) for problem in question_problems(question, values)]
                    if with_problems
                    else [],
                )
            )
        section_snapshots.append(SectionSnapshot(section=section, questions=question_snapshots))
    return SubmissionSnapshot(
        submission=submission,
        edition=edition,
        country=submission.country,
        sections=section_snapshots,
        progress=progress,
        previous=previous,
    )
