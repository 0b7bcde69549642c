"""What every export reads: the submissions chosen, their snapshots in chunks, the Exporter base.

Every format reads submissions in chunks (answers read per chunk) and builds
each row from the same SubmissionSnapshot as the pages and the PDF (with each
country's progress computed from the same values, no query more), so memory
stays flat whatever the number of countries and every format shows the same
answers. An exporter turns a queryset of submissions into a file written to a
binary stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, ClassVar

from django.db.models import QuerySet
from django.utils import timezone

from linkcheck.exports import snapshots_with_link_status
from questionnaire.answers import part_value
from questionnaire.carried import previous_values_by_country
from questionnaire.kinds import get_kind
from questionnaire.models import Answer, Edition, Submission
from questionnaire.progress import progress_of
from questionnaire.selectors import (
    EditionLayout,
    SubmissionSnapshot,
    edition_layout,
    snapshot_build,
    submissions_values,
)

Progress = Callable[[int], None]

# Submissions read per database round trip; their answers are read per chunk.
CHUNK_SIZE = 50


def submissions_for_export(*, edition: Edition, statuses: Iterable[str] = ()) -> QuerySet:
    """The edition's submissions in the given statuses (all when none are given)."""
    queryset = Submission.objects.filter(edition=edition)
    statuses = list(statuses)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


def export_snapshot(
    *,
    submission: Submission,
    layout: EditionLayout,
    values: dict[str, dict],
    with_progress: bool = True,
    previous: dict | None = None,
) -> SubmissionSnapshot:
    """What an export writes of one submission, from values already read (no query).

    Its questions' problems are left out (no export shows them, and checking every value
    was half the time of an export); its progress, when asked for, is computed from the
    same values by questionnaire.progress, the rule of the officials' and reviewers' pages.
    `previous`: the country's answers to the editions continued (questionnaire.carried), for
    the changed_since_previous flags.
    """
    progress = None
    if with_progress:
        questions = [question for _section, questions in layout for question in questions]
        progress = progress_of(questions, values)
    return snapshot_build(
        submission=submission,
        layout=layout,
        values=values,
        with_problems=False,
        progress=progress,
        previous=previous,
    )


def snapshots_iter(
    *,
    submissions: QuerySet,
    layout: EditionLayout,
    chunk_size: int = CHUNK_SIZE,
    with_progress: bool = True,
) -> Iterator[SubmissionSnapshot]:
    """Snapshots of the submissions in country order, two queries per chunk (five for an
    edition that continues an earlier one: the countries' earlier answers).

    A chunk's answers are read as plain (submission, question, value) rows, not
    prefetched Answer instances: a prefetched answer points back at its submission,
    and such cycles wait for the cyclic garbage collector, so that every chunk's
    answers stayed in memory a while and the peak grew with the number of countries.
    """
    code_by_question_id = {
        question.id: question.code for _section, questions in layout for question in questions
    }
    submissions_iter = (
        submissions.select_related("edition", "country")
        .order_by("country__name", "id")
        .iterator(chunk_size=chunk_size)
    )
    continues = any(question.lineage for _s, questions in layout for question in questions)
    while chunk := list(islice(submissions_iter, chunk_size)):
        values = submissions_values(
            submission_ids=[submission.pk for submission in chunk],
            code_by_question_id=code_by_question_id,
        )
        # The countries' answers to the edition continued, for changed_since_previous: three
        # queries per chunk, none for an edition that continues none.
        previous = (
            previous_values_by_country(
                edition=chunk[0].edition, country_ids=[s.country_id for s in chunk]
            )
            if continues
            else None
        )
        for submission in chunk:
            yield export_snapshot(
                submission=submission,
                layout=layout,
                values=values.pop(submission.pk),
                with_progress=with_progress,
                previous=None if previous is None else previous.get(submission.country_id, {}),
            )


def items_used(*, submissions: QuerySet, layout: EditionLayout) -> dict[tuple[str, str], int]:
    """The most items (link rows) any of the submissions uses in each part of a kind with
    items, by (question code, part name): how many items' columns the wide exports need.

    One query over those questions' answers alone, read in chunks (memory stays flat);
    parts nobody answered are left out (0).
    """
    parts_by_question = {
        question.id: (question.code, parts)
        for _section, questions in layout
        for question in questions
        if (parts := [part for part in question.parts if get_kind(part["kind"]).has_items])
    }
    used: dict[tuple[str, str], int] = {}
    if not parts_by_question:
        return used
    answers = (
        Answer.objects.filter(
            submission_id__in=submissions.values("pk"),
            question_id__in=parts_by_question,
        )
        .order_by()
        .values_list("question_id", "value")
        .iterator(chunk_size=500)
    )
    for question_id, question_value in answers:
        code, parts = parts_by_question[question_id]
        for part in parts:
            count = get_kind(part["kind"]).item_count(part_value(part, question_value or {}))
            used[code, part["name"]] = max(used.get((code, part["name"]), 0), count)
    return used


def question_text(question) -> str:
    """The whole wording of a question: its group's text, lead-in and own text."""
    return " ".join(part for part in (question.group_text, question.lead_in, question.text) if part)


class Exporter:
    """One export format. Subclasses set the class attributes and implement `write`."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    extension: ClassVar[str]
    content_type: ClassVar[str]
    # Whether its rows carry each country's progress (the tidy CSV's answer rows do not:
    # it is not computed for them).
    with_progress: ClassVar[bool] = True

    def __init__(self, *, edition: Edition):
        self.edition = edition
        self.layout = edition_layout(edition=edition)

    def filename(self) -> str:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return f"msq-{self.edition.code}-{self.identifier}-{stamp}.{self.extension}"

    def snapshots(self, submissions: QuerySet) -> Iterator[SubmissionSnapshot]:
        # linkcheck (issue 16): each link carries its last check ("N.link_status"), after its URL.
        return snapshots_with_link_status(
            snapshots_iter(
                submissions=submissions, layout=self.layout, with_progress=self.with_progress
            ),
            edition=self.edition,
        )

    def write(self, *, submissions: QuerySet, out: IO[bytes], progress: Progress | None = None):
        raise NotImplementedError
