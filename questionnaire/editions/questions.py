"""Reading the questions of an edition file: their texts, parts, options and show_if."""

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

_QUESTION_KEYS = {"code", "number", "text", "lead_in", "footnotes", "parts", "show_if"}
_PART_KEYS = {"name", "kind", "label", "required", "options", "show_if"}


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


def _parts(raw: Any, path: Path, code: str, into: Translations) -> list[dict]:
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
    parts = _parts(raw.get("parts"), path, code, translations)
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
    }
    if "show_if" in raw:
        question["show_if"] = _condition(raw["show_if"], path, code, needs_question=True)
    return question
