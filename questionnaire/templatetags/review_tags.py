"""Template helpers of the review console."""

import json

from django import template

from questionnaire.kinds import url_href as kinds_url_href

register = template.Library()


@register.filter
def url_href(url: str) -> str:
    """The http(s) address to link to for a typed URL, or "" (never a javascript: link)."""
    return kinds_url_href(url or "") or ""


@register.filter
def pretty_json(value) -> str:
    """A stored before/after value as indented JSON text (autoescaped by the template)."""
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
