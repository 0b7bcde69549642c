"""Reading the questions of an edition file: their texts, parts, options, show_if, and what
they continue of an earlier edition (`continues`, `map`, a part's `from`) as written: whether
those references exist is checked against the loaded editions by editions.lineage_check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from questionnaire.editions.texts import (
    CODE_RE,
    EditionFileError,
    Translations,
    footnotes_of,
    text_of,
    unknown_keys_refuse,
)
from questionnaire.kinds import KINDS

_QUESTION_KEYS = {
    "code",
    "number",
    "text",
    "lead_in",
    "footnotes",
    "parts",
    "show_if",
    "continues",
    "map",
}
_PART_KEYS = {"name", "kind", "label", "required", "options", "show_if", "from"}


def _condition(raw: Any, path: Path, code: str, *, needs_question: bool) -> dict:
    if not isinstance(raw, dict):
        raise EditionFileError(path, "show_if must be a mapping", code)
    unknown_keys_refuse(raw, {"question", "part", "equals"}, path, code, "show_if")
    if needs_question and not raw.get("question"):
        raise EditionFileError(path, "show_if needs the question it depends on", code)
    if not raw.get("part") or "equals" not in raw:
        raise EditionFileError(path, "show_if needs a part and the value it equals", code)
    condition = {"part": str(raw["part"]), "equals": str(raw["equals"])}
    if raw.get("question"):
        condition["question"] = str(raw["question"])
    return condition


def _parts(
    raw: Any, path: Path, code: str, into: Translations, sources: dict[str, Any]
) -> list[dict]:
    """The parts as stored; each part's `from` (lineage, not part of its definition) goes
    into `sources` by part name."""
    if not isinstance(raw, list) or not raw:
        raise EditionFileError(path, "a question needs at least one part", code)
    parts: list[dict] = []
    names: set[str] = set()
    for part_raw in raw:
        if not isinstance(part_raw, dict):
            raise EditionFileError(path, "every part must be a mapping", code)
        unknown_keys_refuse(part_raw, _PART_KEYS, path, code, "part")
        name = part_raw.get("name")
        kind_name = part_raw.get("kind")
        if not isinstance(name, str) or not CODE_RE.match(name):
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
        label = text_of(
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
        if "from" in part_raw:
            sources[name] = part_raw["from"]
        names.add(name)
        parts.append(part)
    return parts


def _option(raw: Any, *, path: Path, code: str, part: str, into: Translations) -> dict:
    """One choice of a multi part; its label and footnote may be texts by language."""
    if not isinstance(raw, dict):
        return {"code": None, "label": None}
    option = {"code": raw.get("code")}
    for name in ("label", "footnote"):
        text = text_of(
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


def question_read(raw: dict, path: Path, group: dict | None) -> dict:
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise EditionFileError(path, f"question code {code!r} is missing or not a code")
    unknown_keys_refuse(raw, _QUESTION_KEYS, path, code, "question")
    # The group's wording is repeated on each of its questions, translations included.
    translations: Translations = {
        language: dict(texts) for language, texts in (group or {}).get("translations", {}).items()
    }
    texts = {
        text_field: text_of(
            raw.get(text_field), path=path, code=code, where="", key=text_field, into=translations
        )
        for text_field in ("text", "lead_in")
    }
    texts["number"] = raw.get("number")
    for text_field, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise EditionFileError(path, f"{text_field} must be text", code)
    part_sources: dict[str, Any] = {}
    parts = _parts(raw.get("parts"), path, code, translations, part_sources)
    question = {
        "code": code,
        "number": texts["number"] or "",
        "text": texts["text"] or "",
        "lead_in": texts["lead_in"] or "",
        "group_number": group["number"] if group else "",
        "group_text": group["text"] if group else "",
        "footnotes": footnotes_of(raw.get("footnotes"), path, code, translations),
        "parts": parts,
        "kind": parts[0]["kind"],
        "required": any(part["required"] for part in parts),
        "show_if": None,
        "translations": translations,
        "continues": _continues(raw, path, code, parts, part_sources),
    }
    if "show_if" in raw:
        question["show_if"] = _condition(raw["show_if"], path, code, needs_question=True)
    return question


def _continues(
    raw: dict, path: Path, code: str, parts: list[dict], part_sources: dict[str, Any]
) -> dict | None:
    """What the question says it continues, checked for form only: {"edition", "questions",
    "from": {part: [question or None, old part]}, "map": {part: {old code: new code or None}}};
    None for a question new in its edition."""
    if "continues" not in raw:
        if part_sources:
            name = next(iter(part_sources))
            raise EditionFileError(
                path, f"part {name!r}: from needs the question to say what it continues", code
            )
        if "map" in raw:
            raise EditionFileError(path, "map needs the question to say what it continues", code)
        return None
    written = raw["continues"]
    references = written if isinstance(written, list) else [written]
    if not references:
        raise EditionFileError(path, "continues names no question", code)
    editions: list[str] = []
    questions: list[str] = []
    for reference in references:
        edition, _, question = str(reference).partition("/")
        if not isinstance(reference, str) or not (
            CODE_RE.match(edition) and CODE_RE.match(question)
        ):
            raise EditionFileError(
                path,
                f"continues {reference!r}: write edition/question, e.g. msq-2020/q1",
                code,
            )
        if question in questions:
            raise EditionFileError(path, f"continues {reference} twice", code)
        editions.append(edition)
        questions.append(question)
    if len(set(editions)) > 1:
        raise EditionFileError(
            path,
            f"continues questions of several editions ({', '.join(sorted(set(editions)))}): "
            "a question continues questions of one edition",
            code,
        )
    return {
        "edition": editions[0],
        "questions": questions,
        "from": {
            name: _part_source(source, path, code, name, questions)
            for name, source in part_sources.items()
        },
        "map": _option_maps(raw.get("map"), path, code, parts),
    }


def _part_source(
    raw: Any, path: Path, code: str, name: str, questions: list[str]
) -> list[str | None]:
    """[question or None, part] of a part's `from`: "part", or "question/part" in a merge."""
    question, _, part = str(raw).rpartition("/")
    if not isinstance(raw, str) or not CODE_RE.match(part) or (question and "/" in question):
        raise EditionFileError(
            path, f"part {name!r}: from {raw!r}: write a part name, or question/part", code
        )
    if question and question not in questions:
        raise EditionFileError(
            path,
            f"part {name!r}: from {raw!r} names question {question!r}, "
            "which the question does not continue",
            code,
        )
    return [question or None, part]


def _option_maps(raw: Any, path: Path, code: str, parts: list[dict]) -> dict[str, dict]:
    """{part: {old option code: new option code, or None for an option dropped}}; the new codes
    must be the part's own (the old ones are checked against the earlier edition)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise EditionFileError(path, "map must be a mapping: {part: {old code: new code}}", code)
    by_name = {part["name"]: part for part in parts}
    maps: dict[str, dict] = {}
    for name, renames in raw.items():
        part = by_name.get(name)
        if part is None:
            raise EditionFileError(path, f"map names part {name!r}, which it does not have", code)
        if not KINDS[part["kind"]].has_options:
            raise EditionFileError(
                path, f"map names part {name!r}, which has no options to map", code
            )
        if not isinstance(renames, dict) or not renames:
            raise EditionFileError(
                path, f"map of part {name!r} must be a mapping: {{old code: new code}}", code
            )
        codes = {option["code"] for option in part["options"]}
        for old, new in renames.items():
            if new is not None and new not in codes:
                raise EditionFileError(
                    path,
                    f"map of part {name!r}: {old} becomes {new!r}, which is not one of "
                    f"its options ({', '.join(sorted(codes))})",
                    code,
                )
        maps[name] = {str(old): new for old, new in renames.items()}
    return maps
