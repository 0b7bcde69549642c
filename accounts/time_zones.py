"""The official's clock: times shown in their own time zone, with the zone named.

The zone is the one their browser reports (static/js/time-zone.js posts it to
accounts:time_zone when it differs), remembered as `User.time_zone` and
activated for each request by UserTimeZoneMiddleware. Reviewers' pages stay in
UTC (settings.TIME_ZONE), as do e-mails and PDFs, which say so; but the reviewers'
submissions list (questionnaire/review/list_views.py) shows its ISO dates in the
reviewer's own zone, which that page's script reports the same way.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, time_format

from accounts.models import User


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_valid(name: object) -> bool:
    """Whether `name` is an IANA time zone this server knows ("Asia/Tashkent", "UTC")."""
    return isinstance(name, str) and name in _known_zones()


def user_time_zone(user: User) -> ZoneInfo:
    """The zone to show `user` times in: theirs, else the portal's (UTC)."""
    name = user.time_zone if time_zone_valid(user.time_zone) else settings.TIME_ZONE
    return ZoneInfo(name)


def user_time_zone_set(*, user: User, time_zone: str) -> bool:
    """Remember `time_zone` as `user`'s. Returns whether it changed.

    Raises ValueError for a name that is not a known IANA zone. Side effects:
    one UPDATE of the user's `time_zone` when it changes.
    """
    if not time_zone_valid(time_zone):
        raise ValueError(f"unknown time zone {time_zone!r}")
    if user.time_zone == time_zone:
        return False
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    return True


def zone_abbreviation(moment: datetime) -> str:
    """The active zone's short name at `moment`: "CET", "UTC"; "UTC+05" where the zone has
    only a numeric one (Asia/Tashkent's is "+05")."""
    name = timezone.localtime(moment).tzname() or "UTC"
    if name[0] in "+-":
        offset = f"{name[:3]}:{name[3:]}" if len(name) == 5 else name
        return f"UTC{offset}"
    return name


def time_with_zone(moment: datetime) -> str:
    """ "19:48 CET": the time of `moment` in the active zone, with the zone."""
    local = timezone.localtime(moment)
    return f"{time_format(local, 'TIME_FORMAT')} {zone_abbreviation(moment)}"


def datetime_with_zone(moment: datetime) -> str:
    """ "1 December 2026, 19:48 CET": the date and time of `moment` in the active zone."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} {zone_abbreviation(moment)}"


def iso_parts(moment: datetime) -> tuple[str, str, str]:
    """("2026-11-30", "19:40 CET", "2026-11-30T19:40:00+01:00"): the day and the time with
    the zone of `moment` in the active zone, as reviewers' lists show them (ISO, any
    language), and the machine-readable form for a <time> element."""
    local = timezone.localtime(moment)
    return (
        local.strftime("%Y-%m-%d"),
        f"{local.strftime('%H:%M')} {zone_abbreviation(moment)}",
        local.replace(microsecond=0).isoformat(),
    )


def iso_with_zone(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """ "2026-11-30 19:40 CET": `moment` in `zone` (the active zone by default), ISO 8601's
    order, with the zone's short name (reviewers' pages: sortable at a glance, and never
    read as another zone's time). iso_parts's day and time, as one text."""
    if zone is not None:
        with timezone.override(zone):
            return iso_with_zone(moment)
    day, time_and_zone, _machine = iso_parts(moment)
    return f"{day} {time_and_zone}"
