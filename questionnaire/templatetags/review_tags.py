"""Template helpers of the review console."""

import json

from django import template

register = template.Library()


@register.filter
def pretty_json(value) -> str:
    """A stored before/after value as indented JSON text (autoescaped by the template)."""
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
