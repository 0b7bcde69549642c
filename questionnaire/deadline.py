"""An edition's dates as an official reads them: when it opens, the deadline, the days left,
counted in the active time zone (the official's own, accounts.time_zones)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from questionnaire.models import Edition


@dataclass(frozen=True)
class DeadlineStatus:
    opens_on: datetime | None
    deadline: datetime | None
    # The zone the dates are shown in ("Europe/Paris"), named beside them.
    zone: str
    # Calendar days from today to the deadline's day, both in `zone` (0: today is the last day).
    days_left: int | None
    is_late: bool
    not_open_yet: bool


def deadline_status(*, edition: Edition, now: datetime | None = None) -> DeadlineStatus:
    now = now or timezone.now()
    deadline = edition.deadline
    days_left = None
    if deadline is not None:
        days_left = (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days
    return DeadlineStatus(
        opens_on=edition.opens_on,
        deadline=deadline,
        zone=timezone.get_current_timezone_name(),
        days_left=days_left,
        is_late=deadline is not None and now > deadline,
        not_open_yet=edition.opens_on is not None and now < edition.opens_on,
    )
