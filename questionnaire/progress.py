"""Progress and section state: the one rule every page that shows them applies.

The officials' overview and section list, the reviewers' review page, the admin's
submissions list and the staff dashboard all read it from here, so that they
can never disagree ("19 of 38" beside sections that all said "Complete").

The rule:
- only questions shown by the current answers count (show-if);
- a shown question is *answered* when one of its shown parts holds a value and the
  question has no problem (a missing required part, an invalid value): an answer
  that cannot be submitted as it is does not count as done;
- a section is Complete when every one of its shown questions is answered, Not
  started while none of them holds a value, Has problems when a value is wrong
  (a problem other than "missing"), and In progress otherwise.

Pure functions over questions and stored values, plus one bulk read for lists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from questionnaire.answers import (
    Values,
    question_is_answered,
    question_is_shown,
    submission_problems,
)
from questionnaire.kinds import Problem
from questionnaire.models import Edition, Question, Submission
from questionnaire.selectors import submissions_values

logger = logging.getLogger(__name__)

# Bump when the rule below changes: figures cached under the old rule are then never read.
RULE_VERSION = 1
REMEMBERED_SECONDS = 7 * 24 * 3600


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


@dataclass(frozen=True)
class Progress:
    """Answered questions out of the shown ones, and the state of each section."""

    done: int
    total: int
    # {section id: SectionState value}, for the sections of the questions given.
    section_states: dict[int, str]

    @property
    def percent(self) -> int:
        """Rounded down, so that 100 % means every shown question is answered."""
        return self.done * 100 // self.total if self.total else 0


def _section_state(shown: Sequence[Question], values: Values, problems: dict) -> str:
    if not any(question_is_answered(question, values) for question in shown):
        return SectionState.NOT_STARTED
    found = [problem for question in shown for problem in problems.get(question.code, [])]
    # Decided by the problems' codes: their text is in the reader's language.
    if any(getattr(problem, "code", None) != Problem.MISSING for problem in found):
        return SectionState.HAS_PROBLEMS
    if all(_is_done(question, values, problems) for question in shown):
        return SectionState.COMPLETE
    return SectionState.IN_PROGRESS


def _is_done(question: Question, values: Values, problems: dict) -> bool:
    return question.code not in problems and question_is_answered(question, values)


def progress_of(
    questions: Iterable[Question], values: Values, *, problems: dict | None = None
) -> Progress:
    """The Progress of one submission's `values` over `questions` (no query).

    `problems` ({question code: problems}), when the caller has computed them
    already, spares checking every value again.
    """
    questions = list(questions)
    shown_by_section: dict[int, list[Question]] = {}
    for question in questions:
        shown_by_section.setdefault(question.section_id, [])
        if question_is_shown(question, values):
            shown_by_section[question.section_id].append(question)
    if problems is None:
        problems = submission_problems(questions, values)
    shown_all = [question for shown in shown_by_section.values() for question in shown]
    return Progress(
        done=sum(1 for question in shown_all if _is_done(question, values, problems)),
        total=len(shown_all),
        section_states={
            section_id: _section_state(shown, values, problems)
            for section_id, shown in shown_by_section.items()
        },
    )


def progress_by_submission(
    *, submission_ids: Iterable[int], questions: Iterable[Question]
) -> dict[int, Progress]:
    """{submission id: Progress} for many submissions of one edition, in one query.

    `questions` are the edition's (read once by the caller); the answers of every
    submission are read as plain values, never as model rows.
    """
    questions = list(questions)
    values = submissions_values(
        submission_ids=submission_ids,
        code_by_question_id={question.id: question.code for question in questions},
    )
    return {
        pk: progress_of(questions, submission_values) for pk, submission_values in values.items()
    }


def _remembered_key(submission: Submission, edition: Edition) -> str:
    # A submission's answers change only with its version (questionnaire/locking.py) and
    # its updated_at; the edition's questions only with its loaded_at and file hash.
    loaded = edition.loaded_at.timestamp() if edition.loaded_at else 0
    return (
        f"progress:{RULE_VERSION}:{edition.pk}:{edition.source_sha256[:16]}:{loaded}:"
        f"{submission.pk}:{submission.version}:{submission.updated_at.timestamp()}"
    )


def progress_remembered(
    *, submissions: Sequence[Submission], edition: Edition, questions: Iterable[Question]
) -> dict[int, Progress]:
    """{submission id: Progress} for submission rows of `edition` already read by the caller,
    through the cache: only the submissions changed since their last reading are computed
    (one query for their answers, none when every figure is remembered).

    The reviewers' list shows 193 at once; checking every answer of every submission
    (each link's address...) took seconds there. Side effects: writes the computed
    figures to the cache. A cache that does not answer only costs the computation.
    """
    keys = {submission.pk: _remembered_key(submission, edition) for submission in submissions}
    try:
        cached = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("progress cache unavailable", exc_info=True)
        cached = {}
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in found]
    if missing:
        computed = progress_by_submission(submission_ids=missing, questions=questions)
        found.update(computed)
        try:
            cache.set_many(
                {keys[pk]: progress for pk, progress in computed.items()},
                timeout=REMEMBERED_SECONDS,
            )
        except Exception:
            logger.warning("progress cache unavailable", exc_info=True)
    return found
