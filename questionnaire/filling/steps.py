"""The filling flow as a list of step objects: one per section, then the review.

Like pretix's checkout flow: each step knows whether it applies and whether
it is complete; one dispatcher view (questionnaire.filling.views.flow_step) finds the
step by its identifier and lets the step's handler answer. The state of every
step is computed from one FlowContext, read in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from questionnaire.answers import question_is_answered, question_is_shown, question_problems
from questionnaire.kinds import Problem
from questionnaire.models import Question, ReviewComment, Section, Submission


class SectionState:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    HAS_PROBLEMS = "has_problems"

    LABELS = {
        NOT_STARTED: _("Not started"),
        IN_PROGRESS: _("In progress"),
        COMPLETE: _("Complete"),
        HAS_PROBLEMS: _("Has problems"),
    }


@dataclass
class FlowContext:
    """What every step needs to know about one submission, read once."""

    submission: Submission
    sections: list[Section]
    questions_by_section: dict[int, list[Question]]
    values: dict[str, dict]
    comments: list[ReviewComment] = field(default_factory=list)

    @cached_property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in self.questions_by_section[section.id]]

    @cached_property
    def problems(self) -> dict[str, list[Problem]]:
        """{question code: problem messages} over the whole submission."""
        found = {}
        for question in self.questions:
            problems = question_problems(question, self.values)
            if problems:
                # The Problems themselves (str with a `code`), never copies of their text.
                found[question.code] = list(problems)
        return found

    @cached_property
    def shown_questions(self) -> list[Question]:
        return [q for q in self.questions if question_is_shown(q, self.values)]

    @cached_property
    def progress(self) -> tuple[int, int]:
        """(questions answered without problems, questions shown)."""
        done = sum(
            1
            for question in self.shown_questions
            if question_is_answered(question, self.values) and question.code not in self.problems
        )
        return done, len(self.shown_questions)

    @property
    def progress_percent(self) -> int:
        done, total = self.progress
        return round(100 * done / total) if total else 0

    @cached_property
    def comments_by_question(self) -> dict[str, list[ReviewComment]]:
        """Reviewers' comments on questions, by question code (only while returned)."""
        by_code: dict[str, list[ReviewComment]] = {}
        codes = {question.id: question.code for question in self.questions}
        for comment in self.comments:
            if comment.question_id in codes:
                by_code.setdefault(codes[comment.question_id], []).append(comment)
        return by_code

    @property
    def general_comments(self) -> list[ReviewComment]:
        return [comment for comment in self.comments if comment.question_id is None]


def flow_context(*, submission: Submission | None, edition) -> FlowContext:
    """The FlowContext of a submission (or of a country that has not started) in 4 queries."""
    sections = list(edition.sections.order_by("order"))
    by_section: dict[int, list[Question]] = {section.id: [] for section in sections}
    for question in edition.questions.order_by("order"):
        by_section[question.section_id].append(question)
    return _context_with_answers(submission=submission, sections=sections, by_section=by_section)


def section_context(*, submission: Submission, edition, code: str) -> FlowContext:
    """A FlowContext for one section's page, in 4 queries: every section (the steps list),
    but only that section's questions; the other sections' question lists are empty.

    A section page and its saves need nothing else, and building the whole
    edition's questions on every request was half the cost of an autosave.
    Its `problems`, `progress` and `comments_by_question` therefore cover only
    that section: do not use it for the overview or the review. All the
    submission's answers are still read, because show_if conditions may
    depend on answers in other sections. 404 if the edition has no such section.
    """
    sections = list(edition.sections.order_by("order"))
    current = next((section for section in sections if section.code == code), None)
    if current is None:
        raise Http404
    by_section: dict[int, list[Question]] = {section.id: [] for section in sections}
    by_section[current.id] = list(current.questions.order_by("order"))
    return _context_with_answers(submission=submission, sections=sections, by_section=by_section)


def _context_with_answers(
    *,
    submission: Submission | None,
    sections: list[Section],
    by_section: dict[int, list[Question]],
) -> FlowContext:
    values: dict[str, dict] = {}
    comments: list[ReviewComment] = []
    if submission is not None:
        values = dict(submission.answers.values_list("question__code", "value"))
        if submission.status == Submission.Status.RETURNED:
            comments = list(
                submission.review_comments.filter(
                    version__gte=submission.submitted_version or 0
                ).select_related("author")
            )
    return FlowContext(
        submission=submission,
        sections=sections,
        questions_by_section=by_section,
        values=values,
        comments=comments,
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

    def problems(self, context: FlowContext) -> dict[str, list[Problem]]:
        if "problems" in context.__dict__:  # already computed for the whole flow (overview)
            return {
                question.code: context.problems[question.code]
                for question in self.questions(context)
                if question.code in context.problems
            }
        # A section page needs only its own questions' problems; each question's
        # problems depend on the values alone, so this is the same result.
        found = {}
        for question in self.questions(context):
            problems = question_problems(question, context.values)
            if problems:
                # The Problems themselves (str with a `code`), never copies of their text.
                found[question.code] = list(problems)
        return found

    def is_completed(self, context: FlowContext) -> bool:
        return not self.problems(context)

    def state(self, context: FlowContext) -> str:
        answered = any(
            question_is_answered(question, context.values)
            for question in self.questions(context)
            if question_is_shown(question, context.values)
        )
        problems = self.problems(context)
        if not answered:
            return SectionState.NOT_STARTED
        if not problems:
            return SectionState.COMPLETE
        # Missing answers are "in progress"; a wrong value (a bad URL, 120 %) is a problem.
        # Decided by the problems' codes: their text is in the official's language.
        if all(
            getattr(problem, "code", None) == Problem.MISSING
            for problems_of_question in problems.values()
            for problem in problems_of_question
        ):
            return SectionState.IN_PROGRESS
        return SectionState.HAS_PROBLEMS


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
