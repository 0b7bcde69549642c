"""Times with their zone in templates: {{ moment|datetime_zone }}, {{ moment|time_zone }},
{{ moment|iso_datetime }}."""

from datetime import datetime

from django import template
from django.utils.html import format_html

from accounts.time_zones import datetime_with_zone, iso_parts, time_with_zone

register = template.Library()


@register.filter
def datetime_zone(value: datetime | None) -> str:
    """ "1 December 2026, 19:48 CET" (the active zone: the official's own)."""
    return datetime_with_zone(value) if isinstance(value, datetime) else ""


@register.filter
def time_zone(value: datetime | None) -> str:
    """ "19:48 CET" (the active zone: the official's own)."""
    return time_with_zone(value) if isinstance(value, datetime) else ""


@register.filter
def iso_datetime(value: datetime | None) -> str:
    """ "2026-11-30 19:40 CET" as a <time> element, the day and the time in their own spans
    (the active zone: reviewers' lists). One call per date: lists show hundreds."""
    if not isinstance(value, datetime):
        return ""
    day, time_zone, machine = iso_parts(value)
    return format_html(
        '<time datetime="{}"><span class="list-day">{}</span> '
        '<span class="list-time">{}</span></time>',
        machine,
        day,
        time_zone,
    )
