"""The filling flow as a list of step objects: one per section, then the review.

Like pretix's checkout flow: each step knows whether it applies and whether
it is complete; the section view (questionnaire.filling.views.section) finds the
step by its identifier. The state of every
step is computed from one FlowContext, read in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from questionnaire.answers import submission_problems
from questionnaire.kinds import Problem
from questionnaire.models import Question, ReviewComment, Section, Submission
from questionnaire.progress import Progress, SectionState, progress_of
from questionnaire.review.threads import submission_threads
from questionnaire.selectors import submission_answers
from questionnaire.structure import EditionStructure, edition_structure

__all__ = ["FlowContext", "ReviewStep", "SectionState", "SectionStep", "flow_context"]


@dataclass
class FlowContext:
    """What every step needs to know about one submission, read once."""

    submission: Submission
    sections: list[Section]
    questions_by_section: dict[int, list[Question]]
    values: dict[str, dict]
    # {question id: (answer id, stored value)}: what a save in the same transaction
    # hands to answers_save (stored_answers), so that it does not read them again.
    answers: dict[int, tuple[int, dict]] = field(default_factory=dict)

    @cached_property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in self.questions_by_section[section.id]]

    @cached_property
    def problems(self) -> dict[str, list[Problem]]:
        """{question code: problems} over the context's questions (the Problems themselves:
        str with a `code`, never copies of their text)."""
        return submission_problems(self.questions, self.values)

    @cached_property
    def progress(self) -> Progress:
        """Answered and shown questions and each section's state (questionnaire.progress)."""
        return progress_of(self.questions, self.values, problems=self.problems)

    @property
    def progress_percent(self) -> int:
        return self.progress.percent

    @cached_property
    def comments(self) -> list[ReviewComment]:
        """The reviewers' comment threads shared with the country, open or resolved, in any
        status (questionnaire.review.threads). Read when a page shows them, never by a save."""
        # Threads are shared with the country by a return, so never before a first submit:
        # a draft's pages read none (and cost no query).
        if self.submission is None or self.submission.submitted_version is None:
            return []
        return submission_threads(submission=self.submission, shared_only=True)

    @cached_property
    def comments_by_question(self) -> dict[str, list[ReviewComment]]:
        """The threads on the context's questions, by question code."""
        by_code: dict[str, list[ReviewComment]] = {}
        codes = {question.id: question.code for question in self.questions}
        for comment in self.comments:
            if comment.question_id in codes:
                by_code.setdefault(codes[comment.question_id], []).append(comment)
        return by_code

    @property
    def general_comments(self) -> list[ReviewComment]:
        return [comment for comment in self.comments if comment.question_id is None]

    @property
    def open_threads(self) -> list[ReviewComment]:
        """The threads the reviewers have not resolved yet, oldest first."""
        return [thread for thread in self.comments if not thread.is_resolved]


def flow_context(*, submission: Submission | None, edition) -> FlowContext:
    """The FlowContext of a submission (or of a country that has not started) in 1 query
    (answers; the comment threads when a page reads them): the edition's structure is cached."""
    structure = edition_structure(edition=edition)
    return _context_with_answers(
        submission=submission,
        structure=structure,
        by_section=dict(structure.questions_by_section),
    )


def section_context(*, submission: Submission, edition, code: str) -> FlowContext:
    """A FlowContext for one section's page, in 2 queries: every section (the steps list),
    but only that section's questions; the other sections' question lists are empty.

    A section page and its saves need nothing else, and building the whole
    edition's questions on every request was half the cost of an autosave.
    Its `problems`, `progress` and `comments_by_question` therefore cover only
    that section: do not use it for the overview or the review. All the
    submission's answers are still read, because show_if conditions may
    depend on answers in other sections. 404 if the edition has no such section.
    """
    structure = edition_structure(edition=edition)
    current = structure.section(code)
    if current is None:
        raise Http404
    by_section: dict[int, list[Question]] = {section.id: [] for section in structure.sections}
    by_section[current.id] = structure.questions_by_section[current.id]
    return _context_with_answers(submission=submission, structure=structure, by_section=by_section)


def _context_with_answers(
    *,
    submission: Submission | None,
    structure: EditionStructure,
    by_section: dict[int, list[Question]],
) -> FlowContext:
    values: dict[str, dict] = {}
    answers: dict[int, tuple[int, dict]] = {}
    if submission is not None and submission.pk is not None:
        answers = submission_answers(submission=submission)
        # Codes from the cached structure: no join on the question table.
        values = {
            structure.question_by_id[question_id].code: value
            for question_id, (_answer_id, value) in answers.items()
            if question_id in structure.question_by_id
        }
    return FlowContext(
        submission=submission,
        sections=structure.sections,
        questions_by_section=by_section,
        values=values,
        answers=answers,
    )


class Step:
    identifier: str
    label: str

    def is_applicable(self, context: FlowContext) -> bool:
        return True

    def is_completed(self, context: FlowContext) -> bool:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError


class SectionStep(Step):
    """One section of the questionnaire: its questions as a form."""

    def __init__(self, section: Section):
        self.section = section
        self.identifier = section.code
        self.label = str(section)

    @property
    def url(self) -> str:
        return reverse("questionnaire:section", kwargs={"code": self.section.code})

    def questions(self, context: FlowContext) -> list[Question]:
        return context.questions_by_section[self.section.id]

    def is_completed(self, context: FlowContext) -> bool:
        # The section badge's rule: complete when every shown question is answered.
        return self.state(context) == SectionState.COMPLETE

    def state(self, context: FlowContext) -> str:
        """The section's SectionState, by the rule of questionnaire.progress."""
        # A section page's context holds only its own questions: the others are not read.
        return context.progress.section_states.get(self.section.id, SectionState.NOT_STARTED)


class ReviewStep(Step):
    """Every answer, the problems left, the publication authorization and the submit button."""

    identifier = "review"
    label = _("Review and submit")

    @property
    def url(self) -> str:
        return reverse("questionnaire:review")

    def is_completed(self, context: FlowContext) -> bool:
        return context.submission is not None and context.submission.status in {
            Submission.Status.SUBMITTED,
            Submission.Status.ACCEPTED,
        }


def flow_steps(context: FlowContext) -> list[Step]:
    """The applicable steps, in order."""
    steps: list[Step] = [SectionStep(section) for section in context.sections]
    steps.append(ReviewStep())
    return [step for step in steps if step.is_applicable(context)]


def step_neighbours(steps: list[Step], step: Step) -> tuple[Step | None, Step | None]:
    index = next(i for i, candidate in enumerate(steps) if candidate.identifier == step.identifier)
    previous = steps[index - 1] if index > 0 else None
    following = steps[index + 1] if index + 1 < len(steps) else None
    return previous, following
