"""Loading a questionnaire edition from its data file (questionnaire/editions/*.yaml).

The file is checked completely before anything is written, its lineage (what its
questions continue of an earlier edition, which must be loaded first) included; a
problem raises EditionFileError naming the file, the question code and what is
wrong, and the database is left as it was. Loading the same file again changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from questionnaire.editions.lineage_check import lineage_dependents_check, lineage_resolved
from questionnaire.editions.reading import read_edition_file
from questionnaire.editions.texts import EditionFileError
from questionnaire.models import Edition, Question, Section


@dataclass
class EditionLoadResult:
    edition: Edition
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def _apply(instance, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


@transaction.atomic
def edition_load(*, path: Path) -> EditionLoadResult:
    """Create or update an edition, its sections and questions from `path`.

    Side effects: writes Edition, Section and Question rows in one transaction.
    Questions or sections gone from the file are deleted if no answer uses
    them and no later edition continues them; otherwise the load is refused.
    Each question's lineage is checked against the editions loaded and stored
    resolved (editions.lineage_check). Idempotent: a second load of the same
    file writes nothing and reports no change.
    """
    data = read_edition_file(path)
    lineages = lineage_resolved(path=path, data=data)
    lineage_dependents_check(path=path, data=data)
    edition_values = {
        "year": data["year"],
        "title": data["title"],
        "introduction": data["introduction"],
        "footnotes": data["footnotes"],
        "consent_text": data["consent_text"],
        "closing_text": data["closing_text"],
        "translations": data["translations"],
        "source_file": path.name,
        "source_sha256": data["sha256"],
        **data["schedule"],
    }
    edition = Edition.objects.select_for_update().filter(code=data["code"]).first()
    if edition is None:
        edition = Edition.objects.create(code=data["code"], **edition_values)
        result = EditionLoadResult(edition=edition, created=[f"edition {edition.code}"])
    else:
        result = EditionLoadResult(edition=edition)
        changed = _apply(edition, edition_values)
        if changed:
            edition.save(update_fields=[*changed, "loaded_at"])
            result.updated.append(f"edition {edition.code}")

    sections = {section.code: section for section in edition.sections.all()}
    questions = {question.code: question for question in edition.questions.all()}
    question_order = 0
    for section_order, section_data in enumerate(data["sections"], start=1):
        section_values = {
            "numeral": section_data["numeral"],
            "title": section_data["title"],
            "footnotes": section_data["footnotes"],
            "translations": section_data["translations"],
            "order": section_order,
        }
        section = sections.pop(section_data["code"], None)
        if section is None:
            section = Section.objects.create(
                edition=edition, code=section_data["code"], **section_values
            )
            result.created.append(f"section {section.code}")
        elif changed := _apply(section, section_values):
            section.save(update_fields=changed)
            result.updated.append(f"section {section.code}")

        for question_data in section_data["questions"]:
            question_order += 1
            values = {
                key: question_data[key]
                for key in (
                    "number",
                    "text",
                    "lead_in",
                    "group_number",
                    "group_text",
                    "footnotes",
                    "parts",
                    "kind",
                    "required",
                    "show_if",
                    "translations",
                )
            }
            values["lineage"] = lineages.get(question_data["code"], {})
            values["section"] = section
            values["order"] = question_order
            question = questions.pop(question_data["code"], None)
            if question is None:
                Question.objects.create(edition=edition, code=question_data["code"], **values)
                result.created.append(f"question {question_data['code']}")
            elif changed := _apply(question, values):
                question.save(update_fields=changed)
                result.updated.append(f"question {question.code}")

    for code, question in questions.items():
        if question.answers.exists():
            raise EditionFileError(
                path, "is gone from the file but has answers; it cannot be removed", code
            )
        question.delete()
        result.removed.append(f"question {code}")
    for code, section in sections.items():
        if section.questions.exists():
            raise EditionFileError(path, f"section {code!r} is gone from the file but not empty")
        section.delete()
        result.removed.append(f"section {code}")
    if result.changed:
        # Any change moves loaded_at forward (not only the edition row's own): every
        # process's cached structure (questionnaire.structure) is revalidated against it.
        edition.loaded_at = timezone.now()
        Edition.objects.filter(pk=edition.pk).update(loaded_at=edition.loaded_at)
    return result
