"""Filters for the PDF templates (templates/pdf/): text direction, CSS strings, answer layout.

They return plain data or text that Django then escapes; only `css_string`
returns markup-safe output, because it escapes every character itself.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from questionnaire import kinds
from questionnaire.pdf.render import text_direction

register = template.Library()

# Captions for a part in a question with several parts, by part name, then by kind.
PART_CAPTIONS = {
    "answer": _("Answer"),
    "details": _("Details"),
    "links": _("Links"),
    "contact": _("Contact"),
}


@register.filter
def text_dir(text) -> str:
    return text_direction(str(text or ""))


@register.filter
def bidi_lines(text) -> list[dict]:
    """A typed text as blocks of lines, each block in one direction (an Arabic paragraph among
    English ones gets its own). Blank lines stay in their block: it is printed pre-wrapped."""
    blocks: list[dict] = []
    for line in str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        direction = text_direction(line) if line.strip() else None
        if blocks and direction in (None, blocks[-1]["dir"]):
            blocks[-1]["text"] += "\n" + line
        else:
            blocks.append({"text": line, "dir": direction or "ltr"})
    return blocks


@register.filter
def css_string(value) -> SafeString:
    """`value` as the inside of a double-quoted CSS string: every character but letters,
    digits and spaces is a CSS escape, so nothing can end the string or the style sheet.

    Each escape ends with a space, which CSS reads as part of the escape: a space typed
    after the character ("Draft, not submitted") would otherwise be taken for it.
    """
    escaped = "".join(
        char if (char.isascii() and char.isalnum()) or char == " " else f"\\{ord(char):06x} "
        for char in str(value)
    )
    return mark_safe(escaped)  # noqa: S308 - only [A-Za-z0-9 \\] and hex digits remain


@register.filter
def link_href(url) -> str:
    """The http(s) address to link a typed URL to, or "" (then it is printed, not linked)."""
    return kinds.url_href(str(url or "")) or ""


@register.filter
def kind_templates(kind_name) -> list[str]:
    """The template printing a part of this kind, with a generic one for kinds without their own."""
    return [f"pdf/kinds/{kind_name}.html", "pdf/kinds/_flat.html"]


@register.filter
def part_caption(part) -> str:
    """What a part is called when its question has several parts."""
    if part.label:
        return part.label
    if part.name in PART_CAPTIONS:
        return PART_CAPTIONS[part.name]
    return kinds.get_kind(part.kind).label if part.kind in kinds.KINDS else part.name


@register.filter
def multi_options(part) -> list[dict]:
    """Every option of a multi part, whether it was chosen, and the "Other" text beside its box."""
    value = part.value or {}
    selected = set(value.get("selected", []))
    other_text = value.get("other", "")
    rows = []
    for option in part.definition.get("options", []):
        rows.append(
            {
                "code": option["code"],
                "label": option["label"],
                "footnote": option.get("footnote", ""),
                "chosen": option["code"] in selected,
                "other_text": other_text if option.get("other") else "",
            }
        )
    return rows


@register.filter
def multi_loose_other(part) -> str:
    """An "Other" text typed where the part has no "Other" option: printed, never lost."""
    definition_has_other = any(option.get("other") for option in part.definition.get("options", []))
    return "" if definition_has_other else (part.value or {}).get("other", "")
