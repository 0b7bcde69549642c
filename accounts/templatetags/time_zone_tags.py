"""Times with their zone in templates: {{ moment|datetime_zone }}, {{ moment|time_zone }}."""

from datetime import datetime

from django import template

from accounts.time_zones import datetime_with_zone, time_with_zone, zone_abbreviation

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
def zone_name(value: datetime | None) -> str:
    """ "CET", "UTC", "UTC+05": the active zone's name at `value`, beside an ISO date."""
    return zone_abbreviation(value) if isinstance(value, datetime) else ""
