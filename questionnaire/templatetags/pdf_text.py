"""Filters for the PDF templates (templates/pdf/): text direction, CSS strings, answer layout.

They return plain data or text that Django then escapes; only `css_string`
returns markup-safe output, because it escapes every character itself.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from questionnaire.kinds import get_kind, part_label
from questionnaire.pdf.render import text_direction

register = template.Library()


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
def pdf_template(part) -> str:
    """The template printing a part (a PartSnapshot): its kind's."""
    return get_kind(part.kind).pdf_template


@register.filter
def pdf_context(part) -> dict:
    """What the kind's PDF template needs beyond the part (`pdf`: a multi part's options)."""
    return get_kind(part.kind).pdf_context(part.value, part.definition)


@register.filter
def part_caption(part) -> str:
    """What a part is called when its question has several parts."""
    return part_label(part.definition, short=True)
