"""An edition's sections and questions, read once per process and kept until the edition changes.

The structure changes only when an edition file is loaded (`manage.py
load_edition`, questionnaire.editions.loading), which moves `Edition.loaded_at`
forward. Every page and save reads its edition with the submission (one joined
query), so comparing that row's `loaded_at` and `source_sha256` with the ones the
cache was built from revalidates it for free, in every process and on every
host: a loader running elsewhere is seen by the next request that reads the
edition. Saving a Section, Question or Edition in this process (the loader, the
tests) empties this process's copy at once (signals in questionnaire.apps).

The cached Section and Question instances are shared by every request of the
process: treat them as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from threading import Lock

from questionnaire.models import Edition, Question, Section


@dataclass(frozen=True)
class EditionStructure:
    """The edition's sections in order, each with its questions in order."""

    sections: list[Section]
    questions_by_section: dict[int, list[Question]]
    stamp: tuple[datetime | None, str]
    questions: list[Question] = field(init=False)
    question_by_id: dict[int, Question] = field(init=False)

    def __post_init__(self):
        questions = [q for s in self.sections for q in self.questions_by_section[s.id]]
        object.__setattr__(self, "questions", questions)
        object.__setattr__(self, "question_by_id", {q.id: q for q in questions})

    def section(self, code: str) -> Section | None:
        return next((section for section in self.sections if section.code == code), None)


_structures: dict[int, EditionStructure] = {}
_building = Lock()


def _stamp(edition: Edition) -> tuple[datetime | None, str]:
    return edition.loaded_at, edition.source_sha256


def edition_structure(*, edition: Edition) -> EditionStructure:
    """The edition's structure: no query while the edition row read by the caller has the
    stamp the cached copy was built from; two queries (sections, questions) otherwise."""
    cached = _structures.get(edition.pk)
    if cached is not None and cached.stamp == _stamp(edition):
        return cached
    with _building:
        sections = list(Section.objects.filter(edition_id=edition.pk).order_by("order"))
        by_id = {section.id: section for section in sections}
        by_section: dict[int, list[Question]] = {section.id: [] for section in sections}
        for question in Question.objects.filter(edition_id=edition.pk).order_by("order"):
            # The section is the cached one: question.section costs no query.
            question.section = by_id[question.section_id]
            by_section[question.section_id].append(question)
        structure = EditionStructure(
            sections=sections, questions_by_section=by_section, stamp=_stamp(edition)
        )
        _structures[edition.pk] = structure
    return structure


def edition_structures_forget(**_signal_kwargs) -> None:
    """Empty this process's copies (a Section, Question or Edition was saved or deleted here)."""
    _structures.clear()
