"""Template helpers of the filling flow and the read-only submission pages.

Answers are rendered by their kind's template (kinds.Kind.render_html), which
escapes every value; nothing here marks user text safe.
"""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from questionnaire.editions.wording import part_wording
from questionnaire.kinds import get_kind
from questionnaire.kinds import part_label as _part_label

register = template.Library()


@register.simple_tag(takes_context=True)
def render_answer(context, part, question=None) -> SafeString:
    """The read-only HTML of a PartSnapshot (selectors.submission_snapshot); given its question,
    the choices' labels are in the active language (questionnaire.editions.wording)."""
    definition = part.definition
    if question is not None:
        # Worded once per part and page: one question across 193 countries shows the same
        # part 193 times, and wording every option each time was a third of that page.
        worded = context.render_context.setdefault("render_answer_worded", {})
        key = (question.pk, part.name, get_language())
        if key not in worded:
            worded[key] = part_wording(question, definition, html=True)
        definition = worded[key]
    return get_kind(part.kind).render_html(part.value, definition)


@register.filter
def get_item(mapping, key):
    """mapping[key], or an empty list when absent (comments_by_question, problems)."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def part_label(part) -> str:
    """A part's caption: its own label, else a name-based one ("Details and comments")."""
    return _part_label(getattr(part, "definition", part))


@register.simple_tag
def render_question_value(question, value) -> SafeString:
    """Every part of a stored question value as read-only HTML (a co-editor's conflicting save)."""
    from django.utils.html import format_html_join

    value = value or {}
    return format_html_join(
        "",
        '<div class="readonly-part"><p class="small text-muted mb-0">{}</p>{}</div>',
        (
            (part_label(part), get_kind(part["kind"]).render_html(value.get(part["name"]), part))
            for part in question.parts
            if part["name"] in value
        ),
    )
