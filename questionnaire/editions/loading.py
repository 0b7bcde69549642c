"""Loading a questionnaire edition from its data file (questionnaire/editions/*.yaml).

The file is checked completely before anything is written; a problem raises
EditionFileError naming the file, the question code and what is wrong, and the
database is left as it was. Loading the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from questionnaire.editions.wording import (
    EDITION_FIELDS,
    ENGLISH,
    QUESTION_FIELDS,
    SECTION_FIELDS,
    WORDING_LANGUAGES,
    wording_texts,
)
from questionnaire.kinds import KINDS
from questionnaire.models import Edition, Question, Section

EDITIONS_DIR = Path(__file__).resolve().parent
SUPPORTED_FORMATS = {1}

_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_EDITION_KEYS = {
    "format",
    "code",
    "year",
    "title",
    "introduction",
    "footnotes",
    "consent_text",
    "closing_text",
    "sections",
}
_SECTION_KEYS = {"code", "numeral", "title", "footnotes", "questions"}
_QUESTION_KEYS = {"code", "number", "text", "lead_in", "footnotes", "parts", "show_if"}
_GROUP_KEYS = {"group", "questions"}
_PART_KEYS = {"name", "kind", "label", "required", "options", "show_if"}


class EditionFileError(Exception):
    """A malformed edition file. The message names the file, the question and the problem."""

    def __init__(self, path: Path, problem: str, code: str | None = None):
        self.path = path
        self.code = code
        self.problem = problem
        where = f"{path}: question {code}: " if code else f"{path}: "
        super().__init__(where + problem)


@dataclass
class EditionLoadResult:
    edition: Edition
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def edition_path(code: str) -> Path:
    return EDITIONS_DIR / f"{code}.yaml"


# --- Reading and checking --------------------------------------------------

# {language: {key: text}} of one row (edition, section or question), as stored in
# its `translations`; English is not in it: it stays in the row's own columns.
Translations = dict[str, dict[str, str]]


def describe_key(key: str) -> str:
    """A wording key as the loader's messages name it ('part "contact" label')."""
    segments = key.split(".")
    if segments[0] == "footnotes":
        return f"footnote {int(segments[1]) + 1} {segments[2]}"
    if segments[0] == "parts" and len(segments) == 3:
        return f'part "{segments[1]}" {segments[2]}'
    if segments[0] == "parts":
        return f'part "{segments[1]}" option "{segments[3]}" {segments[4]}'
    return key.replace("_", " ")


def _text(
    raw: Any, *, path: Path, code: str | None, where: str, key: str, into: Translations
) -> Any:
    """A text as written in the file: a plain string (English), or a mapping by language whose
    other languages go `into` the row's translations. Other values are returned for the
    caller's own checks; a malformed mapping is refused here."""
    if not isinstance(raw, dict):
        return raw
    what = describe_key(key)
    for language, text in raw.items():
        if language not in WORDING_LANGUAGES:
            raise EditionFileError(
                path,
                f"{where}language {language!r}: {what}: unknown language code "
                f"(the languages are {', '.join(WORDING_LANGUAGES)})",
                code,
            )
        if not isinstance(text, str):
            raise EditionFileError(
                path, f"{where}language {language}: {what} must be text, not {text!r}", code
            )
        if not text.strip():
            raise EditionFileError(path, f"{where}language {language}: {what} is empty", code)
    if ENGLISH not in raw:
        raise EditionFileError(
            path, f"{where}{what}: a text by language needs its English (en) version", code
        )
    for language, text in raw.items():
        if language != ENGLISH:
            into.setdefault(language, {})[key] = text
    return raw[ENGLISH]


def _footnotes(
    raw: Any, path: Path, code: str | None, into: Translations, where: str = ""
) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise EditionFileError(path, "footnotes must be a list", code)
    notes = []
    for index, note in enumerate(raw):
        if not isinstance(note, dict):
            raise EditionFileError(path, "every footnote needs a text", code)
        texts = {
            name: _text(
                note.get(name),
                path=path,
                code=code,
                where=where,
                key=f"footnotes.{index}.{name}",
                into=into,
            )
            for name in ("term", "text")
        }
        if not isinstance(texts["text"], str) or not texts["text"]:
            raise EditionFileError(path, "every footnote needs a text", code)
        notes.append({"term": str(texts["term"] or ""), "text": texts["text"]})
    return notes


def _check_coverage(
    *,
    path: Path,
    code: str | None,
    where: str,
    english: dict[str, str],
    translations: Translations,
    languages: set[str],
) -> None:
    """Every language used anywhere in the file must have every text of this row."""
    for language in sorted(languages, key=WORDING_LANGUAGES.index):
        have = translations.get(language, {})
        missing = [key for key in english if key not in have]
        if missing:
            raise EditionFileError(
                path,
                f"{where}language {language}: missing text for "
                + ", ".join(describe_key(key) for key in missing),
                code,
            )


def _unknown_keys(raw: dict, allowed: set[str], path: Path, code: str | None, what: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise EditionFileError(path, f"unknown {what} field(s): {', '.join(unknown)}", code)


def _condition(raw: Any, path: Path, code: str, *, needs_question: bool) -> dict:
    if not isinstance(raw, dict):
        raise EditionFileError(path, "show_if must be a mapping", code)
    _unknown_keys(raw, {"question", "part", "equals"}, path, code, "show_if")
    if needs_question and not raw.get("question"):
        raise EditionFileError(path, "show_if needs the question it depends on", code)
    if not raw.get("part") or "equals" not in raw:
        raise EditionFileError(path, "show_if needs a part and the value it equals", code)
    condition = {"part": str(raw["part"]), "equals": str(raw["equals"])}
    if raw.get("question"):
        condition["question"] = str(raw["question"])
    return condition


def _parts(raw: Any, path: Path, code: str, into: Translations) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise EditionFileError(path, "a question needs at least one part", code)
    parts: list[dict] = []
    names: set[str] = set()
    for part_raw in raw:
        if not isinstance(part_raw, dict):
            raise EditionFileError(path, "every part must be a mapping", code)
        _unknown_keys(part_raw, _PART_KEYS, path, code, "part")
        name = part_raw.get("name")
        kind_name = part_raw.get("kind")
        if not isinstance(name, str) or not _CODE_RE.match(name):
            raise EditionFileError(path, f"part name {name!r} is missing or not a code", code)
        if name in names:
            raise EditionFileError(path, f"part name {name!r} is used twice", code)
        if kind_name not in KINDS:
            raise EditionFileError(
                path,
                f"unknown kind {kind_name!r} (known kinds: {', '.join(sorted(KINDS))})",
                code,
            )
        if "options" in part_raw and not KINDS[kind_name].has_options:
            raise EditionFileError(path, f"part {name!r}: only multi parts have options", code)
        part: dict[str, Any] = {
            "name": name,
            "kind": kind_name,
            "required": bool(part_raw.get("required", False)),
        }
        label = _text(
            part_raw.get("label"),
            path=path,
            code=code,
            where="",
            key=f"parts.{name}.label",
            into=into,
        )
        if label:
            part["label"] = str(label)
        if "options" in part_raw:
            part["options"] = [
                _option(option, path=path, code=code, part=name, into=into)
                for option in (part_raw["options"] or [])
            ]
        for problem in KINDS[kind_name].check_definition(part):
            raise EditionFileError(path, f"part {name!r}: {problem}", code)
        if "show_if" in part_raw:
            condition = _condition(part_raw["show_if"], path, code, needs_question=False)
            if condition.get("question") not in (None, code):
                raise EditionFileError(
                    path, f"part {name!r}: a part's show_if may only name its own question", code
                )
            condition.pop("question", None)
            if condition["part"] not in names:
                raise EditionFileError(
                    path,
                    f"part {name!r}: show_if names part {condition['part']!r}, "
                    "which is not an earlier part of this question",
                    code,
                )
            part["show_if"] = condition
        names.add(name)
        parts.append(part)
    return parts


def _option(raw: Any, *, path: Path, code: str, part: str, into: Translations) -> dict:
    """One choice of a multi part; its label and footnote may be texts by language."""
    if not isinstance(raw, dict):
        return {"code": None, "label": None}
    option = {"code": raw.get("code")}
    for name in ("label", "footnote"):
        text = _text(
            raw.get(name),
            path=path,
            code=code,
            where="",
            key=f"parts.{part}.options.{option['code']}.{name}",
            into=into,
        )
        if text or name == "label":
            option[name] = text
    if raw.get("other"):
        option["other"] = True
    return option


def _question(raw: dict, path: Path, group: dict | None) -> dict:
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise EditionFileError(path, f"question code {code!r} is missing or not a code")
    _unknown_keys(raw, _QUESTION_KEYS, path, code, "question")
    # The group's wording is repeated on each of its questions, translations included.
    translations: Translations = {
        language: dict(texts) for language, texts in (group or {}).get("translations", {}).items()
    }
    texts = {
        text_field: _text(
            raw.get(text_field), path=path, code=code, where="", key=text_field, into=translations
        )
        for text_field in ("text", "lead_in")
    }
    texts["number"] = raw.get("number")
    for text_field, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise EditionFileError(path, f"{text_field} must be text", code)
    parts = _parts(raw.get("parts"), path, code, translations)
    question = {
        "code": code,
        "number": texts["number"] or "",
        "text": texts["text"] or "",
        "lead_in": texts["lead_in"] or "",
        "group_number": group["number"] if group else "",
        "group_text": group["text"] if group else "",
        "footnotes": _footnotes(raw.get("footnotes"), path, code, translations),
        "parts": parts,
        "kind": parts[0]["kind"],
        "required": any(part["required"] for part in parts),
        "show_if": None,
        "translations": translations,
    }
    if "show_if" in raw:
        question["show_if"] = _condition(raw["show_if"], path, code, needs_question=True)
    return question


def read_edition_file(path: Path) -> dict:
    """Parse and check an edition file completely; raise EditionFileError on the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EditionFileError(path, f"cannot be read ({error})") from error
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise EditionFileError(path, f"is not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise EditionFileError(path, "must be a mapping with code, title and sections")
    _unknown_keys(raw, _EDITION_KEYS, path, None, "edition")
    if raw.get("format") not in SUPPORTED_FORMATS:
        raise EditionFileError(path, f"format {raw.get('format')!r} is not supported")
    for key in ("code", "year", "title", "consent_text", "sections"):
        if not raw.get(key):
            raise EditionFileError(path, f"the edition needs {key}")
    if not isinstance(raw["year"], int):
        raise EditionFileError(path, "year must be a number")
    edition_translations: Translations = {}
    edition_texts = {
        name: _text(
            raw.get(name),
            path=path,
            code=None,
            where="edition: ",
            key=name,
            into=edition_translations,
        )
        for name in EDITION_FIELDS
    }
    for name, value in edition_texts.items():
        if value is not None and not isinstance(value, str):
            raise EditionFileError(path, f"the edition's {name} must be text")

    sections: list[dict] = []
    questions: dict[str, dict] = {}
    section_codes: set[str] = set()
    for section_raw in raw["sections"]:
        if not isinstance(section_raw, dict):
            raise EditionFileError(path, "every section must be a mapping")
        _unknown_keys(section_raw, _SECTION_KEYS, path, None, "section")
        section_code = section_raw.get("code")
        if not isinstance(section_code, str) or not _CODE_RE.match(section_code):
            raise EditionFileError(path, f"section code {section_code!r} is missing or not a code")
        if section_code in section_codes:
            raise EditionFileError(path, f"section code {section_code!r} is used twice")
        section_codes.add(section_code)
        where = f"section {section_code!r}: "
        section_translations: Translations = {}
        title = _text(
            section_raw.get("title"),
            path=path,
            code=None,
            where=where,
            key="title",
            into=section_translations,
        )
        if not section_raw.get("numeral") or not title:
            raise EditionFileError(path, f"section {section_code!r} needs a numeral and a title")
        items = section_raw.get("questions")
        if not isinstance(items, list) or not items:
            raise EditionFileError(path, f"section {section_code!r} has no questions")
        section = {
            "code": section_code,
            "numeral": str(section_raw["numeral"]),
            "title": str(title),
            "footnotes": _footnotes(
                section_raw.get("footnotes"), path, None, section_translations, where
            ),
            "questions": [],
            "translations": section_translations,
        }
        for item in items:
            if not isinstance(item, dict):
                raise EditionFileError(path, f"section {section_code!r}: items must be mappings")
            if "group" in item:
                _unknown_keys(item, _GROUP_KEYS, path, None, "group")
                group = item["group"]
                group_translations: Translations = {}
                group_text = (
                    _text(
                        group.get("text"),
                        path=path,
                        code=None,
                        where=f"group {group.get('number', '')!r}: ",
                        key="group_text",
                        into=group_translations,
                    )
                    if isinstance(group, dict)
                    else None
                )
                if not group_text:
                    raise EditionFileError(path, f"section {section_code!r}: a group needs a text")
                group = {
                    "number": str(group.get("number", "")),
                    "text": str(group_text),
                    "translations": group_translations,
                }
                members = item.get("questions")
                if not isinstance(members, list) or not members:
                    raise EditionFileError(path, f"group {group['number']!r} has no questions")
                parsed = [_question(member, path, group) for member in members]
            else:
                parsed = [_question(item, path, None)]
            for question in parsed:
                if question["code"] in questions:
                    raise EditionFileError(path, "question code is used twice", question["code"])
                questions[question["code"]] = question
                section["questions"].append(question)
        sections.append(section)

    # Conditions may only look back: the answer they depend on must come first.
    order = {code: index for index, code in enumerate(questions)}
    for code, question in questions.items():
        condition = question["show_if"]
        if not condition:
            continue
        target = questions.get(condition["question"])
        if target is None:
            raise EditionFileError(
                path,
                f"show_if names question {condition['question']!r}, which does not exist",
                code,
            )
        if order[condition["question"]] >= order[code]:
            raise EditionFileError(
                path, f"show_if names question {condition['question']!r}, which comes later", code
            )
        if condition["part"] not in {part["name"] for part in target["parts"]}:
            raise EditionFileError(
                path,
                f"show_if names part {condition['part']!r}, which question "
                f"{condition['question']} does not have",
                code,
            )

    edition = {
        "code": str(raw["code"]),
        "year": raw["year"],
        "title": str(edition_texts["title"]),
        "introduction": str(edition_texts["introduction"] or ""),
        "footnotes": _footnotes(
            raw.get("footnotes"), path, None, edition_translations, "edition: "
        ),
        "consent_text": str(edition_texts["consent_text"]),
        "closing_text": str(edition_texts["closing_text"] or ""),
        "sections": sections,
        "translations": edition_translations,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    _check_translations(path, edition)
    return edition


def _check_translations(path: Path, edition: dict) -> None:
    """A language used anywhere in the file must cover every text of the edition: a page
    half in French and half in English would be worse than one in English."""
    rows = [(None, "edition: ", edition, EDITION_FIELDS)]
    for section in edition["sections"]:
        rows.append((None, f"section {section['code']!r}: ", section, SECTION_FIELDS))
        rows += [(q["code"], "", q, QUESTION_FIELDS) for q in section["questions"]]
    languages = {language for *_, row, _fields in rows for language in row["translations"]}
    for code, where, row, fields in rows:
        _check_coverage(
            path=path,
            code=code,
            where=where,
            english=wording_texts(row, fields),
            translations=row["translations"],
            languages=languages,
        )


# --- Writing ---------------------------------------------------------------


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
    them; otherwise the load is refused. Idempotent: a second load of the same
    file writes nothing and reports no change.
    """
    data = read_edition_file(path)
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
    return result
