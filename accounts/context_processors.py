"""Template variables for every page."""

from django.conf import settings
from django.http import HttpRequest


def session_timeout(request: HttpRequest) -> dict:
    """The idle timeout and warning lead time, read by static/js/idle-timeout.js."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": min(settings.IDLE_WARNING_SECONDS, settings.SESSION_COOKIE_AGE),
    }


def help_contact(request: HttpRequest) -> dict:
    """The public help address, shown as a mailto link in the footer and on the sign-in page."""
    return {"help_email": settings.MSQ_HELP_EMAIL}
