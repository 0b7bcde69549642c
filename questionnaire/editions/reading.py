"""Reading and checking an edition file (questionnaire/editions/*.yaml) completely.

A problem raises EditionFileError naming the file, the question code and what
is wrong; nothing is written here (editions.loading writes what this returns).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import yaml

from questionnaire.editions.questions import question_read
from questionnaire.editions.texts import (
    CODE_RE,
    EditionFileError,
    Translations,
    describe_key,
    footnotes_of,
    text_of,
    unknown_keys_refuse,
)
from questionnaire.editions.wording import (
    EDITION_FIELDS,
    QUESTION_FIELDS,
    SECTION_FIELDS,
    WORDING_LANGUAGES,
    wording_texts,
)

EDITIONS_DIR = Path(__file__).resolve().parent
SUPPORTED_FORMATS = {1}

_EDITION_KEYS = {
    "format",
    "code",
    "year",
    "title",
    "introduction",
    "footnotes",
    "consent_text",
    "closing_text",
    "opens_on",
    "deadline",
    "sections",
}
_SECTION_KEYS = {"code", "numeral", "title", "footnotes", "questions"}
_GROUP_KEYS = {"group", "questions"}


def edition_path(code: str) -> Path:
    return EDITIONS_DIR / f"{code}.yaml"


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
    unknown_keys_refuse(raw, _EDITION_KEYS, path, None, "edition")
    if raw.get("format") not in SUPPORTED_FORMATS:
        raise EditionFileError(path, f"format {raw.get('format')!r} is not supported")
    for key in ("code", "year", "title", "consent_text", "sections"):
        if not raw.get(key):
            raise EditionFileError(path, f"the edition needs {key}")
    if not isinstance(raw["year"], int):
        raise EditionFileError(path, "year must be a number")
    edition_translations: Translations = {}
    edition_texts = {
        name: text_of(
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
        unknown_keys_refuse(section_raw, _SECTION_KEYS, path, None, "section")
        section_code = section_raw.get("code")
        if not isinstance(section_code, str) or not CODE_RE.match(section_code):
            raise EditionFileError(path, f"section code {section_code!r} is missing or not a code")
        if section_code in section_codes:
            raise EditionFileError(path, f"section code {section_code!r} is used twice")
        section_codes.add(section_code)
        where = f"section {section_code!r}: "
        section_translations: Translations = {}
        title = text_of(
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
            "footnotes": footnotes_of(
                section_raw.get("footnotes"), path, None, section_translations, where
            ),
            "questions": [],
            "translations": section_translations,
        }
        for item in items:
            if not isinstance(item, dict):
                raise EditionFileError(path, f"section {section_code!r}: items must be mappings")
            if "group" in item:
                unknown_keys_refuse(item, _GROUP_KEYS, path, None, "group")
                group = item["group"]
                group_translations: Translations = {}
                group_text = (
                    text_of(
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
                parsed = [question_read(member, path, group) for member in members]
            else:
                parsed = [question_read(item, path, None)]
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

    # A question continues one of an earlier edition: its own is the shortest loop there is.
    # The other references are checked against the loaded editions (editions.lineage_check).
    for code, question in questions.items():
        continued = question["continues"]
        if continued and continued["edition"] == str(raw["code"]):
            raise EditionFileError(
                path,
                f"continues {continued['edition']}/{continued['questions'][0]}, a question of "
                "its own edition: an edition cannot continue itself (a cycle)",
                code,
            )

    edition = {
        "code": str(raw["code"]),
        "year": raw["year"],
        "title": str(edition_texts["title"]),
        "introduction": str(edition_texts["introduction"] or ""),
        "footnotes": footnotes_of(
            raw.get("footnotes"), path, None, edition_translations, "edition: "
        ),
        "consent_text": str(edition_texts["consent_text"]),
        "closing_text": str(edition_texts["closing_text"] or ""),
        "sections": sections,
        # Only the dates the file names: the others stay as DPIDG set them in the admin.
        "schedule": {
            key: _moment_of(raw[key], path=path, key=key)
            for key in ("opens_on", "deadline")
            if raw.get(key) is not None
        },
        "translations": edition_translations,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    _check_translations(path, edition)
    return edition


def _moment_of(value: object, *, path: Path, key: str) -> datetime:
    """A date and time of the file ("2027-03-31T23:59:00+01:00"; without a zone, UTC)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise EditionFileError(path, f"{key} must be a date and time such as 2027-03-31T23:59Z")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


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
