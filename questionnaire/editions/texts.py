"""The texts of an edition file: a plain string (English) or a mapping by language, footnotes,
and the errors that name the file, the question and the problem.

Shared by the readers of the file's questions (editions.questions) and of the
whole file (editions.reading).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from questionnaire.editions.wording import ENGLISH, WORDING_LANGUAGES

CODE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")

# {language: {key: text}} of one row (edition, section or question), as stored in
# its `translations`; English is not in it: it stays in the row's own columns.
Translations = dict[str, dict[str, str]]


class EditionFileError(Exception):
    """A malformed edition file. The message names the file, the question and the problem."""

    def __init__(self, path: Path, problem: str, code: str | None = None):
        self.path = path
        self.code = code
        self.problem = problem
        where = f"{path}: question {code}: " if code else f"{path}: "
        super().__init__(where + problem)


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


def text_of(
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


def footnotes_of(
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
            name: text_of(
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


def unknown_keys_refuse(
    raw: dict, allowed: set[str], path: Path, code: str | None, what: str
) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise EditionFileError(path, f"unknown {what} field(s): {', '.join(unknown)}", code)
