"""Template helpers of the filling flow and the read-only submission pages.

Answers are rendered by their kind's template (kinds.Kind.render_html), which
escapes every value; nothing here marks user text safe.
"""

from django import template
from django.utils import translation
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
    """Every part of a stored question value as read-only HTML (a co-editor's conflicting save,
    an answer beside the previous edition's), captions and choices in the active language."""
    from django.utils.html import format_html_join

    value = value or {}
    worded = [
        part_wording(question, part, html=True) for part in question.parts if part["name"] in value
    ]
    return format_html_join(
        "",
        '<div class="readonly-part"><p class="small text-muted mb-0">{}</p>{}</div>',
        (
            (part_label(part), get_kind(part["kind"]).render_html(value.get(part["name"]), part))
            for part in worded
        ),
    )


# {(edition id, loaded_at, source_sha256, language, *keys): HTML} of this process. Bounded: an
# edition load changes the key, and the old entries go when the dictionary is full.
_FRAGMENTS: dict[tuple, SafeString] = {}
FRAGMENTS_MAX = 2000


class EditionFragmentNode(template.Node):
    def __init__(self, edition, keys, nodelist):
        self.edition = edition
        self.keys = keys
        self.nodelist = nodelist

    def render(self, context):
        edition = self.edition.resolve(context)
        if not edition:
            return self.nodelist.render(context)
        key = (
            edition.pk,
            edition.loaded_at,
            edition.source_sha256,
            translation.get_language(),
            *(key.resolve(context) for key in self.keys),
        )
        html = _FRAGMENTS.get(key)
        if html is None:
            if len(_FRAGMENTS) >= FRAGMENTS_MAX:
                _FRAGMENTS.clear()
            html = _FRAGMENTS[key] = self.nodelist.render(context)
        return html


@register.tag
def edition_fragment(parser, token):
    """`{% edition_fragment edition key… %}…{% endedition_fragment %}`: the block rendered once
    per process for that edition (as loaded), the active language and the keys, then reused.

    Only for markup that depends on nothing else (no answer, no user, no CSRF token): the
    blank link row of a links part is the same on every page, and rendering its three fields
    through crispy-forms cost about a sixth of the section page (bench/README.md).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% edition_fragment edition key… %} needs an edition")
    nodelist = parser.parse(("endedition_fragment",))
    parser.delete_first_token()
    return EditionFragmentNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )
