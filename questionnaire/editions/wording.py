"""The questionnaire's wording in the active language, with English as the fallback.

An edition's English text stays in the model columns (Edition.title,
Question.text, the `label` of a part in Question.parts...), which exports,
the admin and the codebook read. The other UN languages sit beside it in each
row's `translations`: {language: {key: text}}, where a key names one text of
the row the way `wording_texts` lists them ("text", "footnotes.0.term",
"parts.contact.label", "parts.answer.options.ai.label").

`wording(obj, key)` is the one way to read a text for people: the active
language's text if the edition has it, else the English one, with the
language it is in, so that a template can mark an English fallback lang="en".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import urlize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

ENGLISH = "en"
# The six official languages of the United Nations, as Django names them.
WORDING_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh-hans")
RTL_LANGUAGES = frozenset({"ar"})

# The texts each kind of row holds, besides footnotes and parts.
EDITION_FIELDS = ("title", "introduction", "consent_text", "closing_text")
SECTION_FIELDS = ("title",)
QUESTION_FIELDS = ("group_text", "lead_in", "text")


@dataclass(frozen=True)
class Wording:
    """One text as shown, and the language it is in (the requested one, or English)."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in RTL_LANGUAGES else "ltr"


def wording_language(code: str | None) -> str:
    """The wording language for a Django language code ("fr-ca" -> "fr", "zh-cn" -> "zh-hans");
    English for anything else."""
    code = (code or ENGLISH).lower().replace("_", "-")
    if code in WORDING_LANGUAGES:
        return code
    if code.startswith("zh"):
        return "zh-hans"
    base = code.split("-")[0]
    return base if base in WORDING_LANGUAGES else ENGLISH


def _get(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def _footnote_texts(prefix: str, notes: Any) -> dict[str, str]:
    texts = {}
    for index, note in enumerate(notes or []):
        for name in ("term", "text"):
            if note.get(name):
                texts[f"{prefix}footnotes.{index}.{name}"] = note[name]
    return texts


def wording_texts(source: Any, fields: tuple[str, ...]) -> dict[str, str]:
    """Every non-empty English text of a row (a model instance or the loader's mapping), by key.

    `fields` are its plain text fields (EDITION_FIELDS, SECTION_FIELDS or
    QUESTION_FIELDS); footnotes and the labels of parts and options are found
    from the row's own `footnotes` and `parts`.
    """
    texts = {name: _get(source, name) for name in fields if _get(source, name)}
    texts.update(_footnote_texts("", _get(source, "footnotes")))
    for part in _get(source, "parts") or []:
        prefix = f"parts.{part['name']}."
        if part.get("label"):
            texts[prefix + "label"] = part["label"]
        for option in part.get("options") or []:
            for name in ("label", "footnote"):
                if option.get(name):
                    texts[f"{prefix}options.{option['code']}.{name}"] = option[name]
    return texts


def _english(obj: Any, key: str) -> str:
    """The English text a key names, read from the row's own columns."""
    segments = key.split(".")
    value = _get(obj, segments[0])
    for segment in segments[1:]:
        if isinstance(value, list):
            if segment.isdigit():
                index = int(segment)
                value = value[index] if index < len(value) else None
            else:
                value = next(
                    (item for item in value if segment in (item.get("name"), item.get("code"))),
                    None,
                )
        elif isinstance(value, Mapping):
            value = value.get(segment)
        else:
            value = None
    return value if isinstance(value, str) else ""


def wording(obj: Any, field: str, *, language: str | None = None) -> Wording:
    """`field` of an Edition, Section or Question in `language` (default: the active one).

    Falls back to English when the edition has no text in that language.
    """
    language = wording_language(language or get_language())
    if language != ENGLISH:
        translated = ((getattr(obj, "translations", None) or {}).get(language) or {}).get(field)
        if translated:
            return Wording(translated, language)
    return Wording(_english(obj, field), ENGLISH)


def wording_html(
    text: Wording, *, page_language: str | None = None, linked: bool = False
) -> SafeString:
    """The text escaped, in a span naming its language and direction unless the page and the
    text are both English: a fallback inside a French or Arabic page is read as English, left
    to right, and a translation says its own language. `linked`: its web and e-mail
    addresses as links (the urlize filter, which escapes the rest)."""
    content = urlize(text.text, autoescape=True) if linked else text.text
    page = wording_language(page_language or get_language())
    if text.lang == ENGLISH and page == ENGLISH:
        return format_html("{}", content)
    return format_html('<span lang="{}" dir="{}">{}</span>', text.lang, text.dir, content)


def part_wording(
    question: Any, part: Mapping[str, Any], *, language: str | None = None, html: bool = False
) -> dict:
    """A copy of a part's definition with its label and its options' labels and footnotes in
    `language`, for code that takes a definition (the kinds' forms and read-only HTML).
    With `html`, each text is marked up as by wording_html."""

    def text(key: str, english: str) -> str:
        found = wording(question, f"parts.{part['name']}.{key}", language=language)
        if found.lang == ENGLISH:
            # The definition given is the English one to show (it may be the stored one).
            found = Wording(english, ENGLISH)
        return wording_html(found) if html else found.text

    localized = dict(part)
    if part.get("label"):
        localized["label"] = text("label", part["label"])
    if "options" in part:
        localized["options"] = [
            {
                **option,
                **{
                    name: text(f"options.{option['code']}.{name}", option[name])
                    for name in ("label", "footnote")
                    if option.get(name)
                },
            }
            for option in part["options"]
        ]
    return localized
