"""The filling flow as a list of step objects: one per section, then the review.

Like pretix's checkout flow: each step knows whether it applies and whether
it is complete; one dispatcher view (questionnaire.views.flow_step) finds the
step by its identifier and lets the step's handler answer. The state of every
step is computed from one FlowContext, read in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from questionnaire.answers import question_is_answered, question_is_shown, question_problems
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
    def problems(self) -> dict[str, list[str]]:
        """{question code: problem messages} over the whole submission."""
        found = {}
        for question in self.questions:
            problems = question_problems(question, self.values)
            if problems:
                found[question.code] = [str(problem) for problem in problems]
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

    def problems(self, context: FlowContext) -> dict[str, list[str]]:
        return {
            question.code: context.problems[question.code]
            for question in self.questions(context)
            if question.code in context.problems
        }

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
        missing = str(_("This needs an answer."))
        if all(message == missing for messages in problems.values() for message in messages):
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
