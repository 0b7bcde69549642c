"""Template helpers of the reviewers' comment threads (both sides)."""

from datetime import datetime

from django import template

from accounts.time_zones import iso_with_zone
from questionnaire.models import ReviewComment
from questionnaire.review.threads import thread_messages

register = template.Library()


@register.filter
def thread_and_replies(thread: ReviewComment) -> list[ReviewComment]:
    """The thread's comment, then its replies (prefetched: no query)."""
    return thread_messages(thread)


@register.filter
def iso_zone(value: datetime | None) -> str:
    """ "2026-12-01 19:48 UTC": the reviewers' form of a date and time, with its zone."""
    if value is None:
        return ""
    return iso_with_zone(value)
