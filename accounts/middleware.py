"""Send people who must pass a TOTP check to it before any other page; slide the idle timeout;
apply a signed-in person's language and an official's time zone."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone, translation

from accounts.languages import user_language
from accounts.time_zones import user_time_zone
from accounts.two_factor import two_factor_required

# Pages reachable before the check: the check itself, and signing out.
EXEMPT_URL_NAMES = frozenset(
    {
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "logout",
        "healthz",
        "set_language",
        "javascript-catalog",
    }
)


class TwoFactorRequiredMiddleware:
    """Staff (when settings.OTP_REQUIRED_FOR_STAFF) and anyone with a TOTP device
    must verify a code once per session. Placed after OTPMiddleware, which sets
    request.user.is_verified()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_URL_NAMES:
            return None
        if not two_factor_required(user=user, session=request.session):
            return None
        from accounts.two_factor import totp_device_confirmed

        target = (
            "accounts:two_factor_verify"
            if totp_device_confirmed(user=user)
            else "accounts:two_factor_setup"
        )
        response = redirect(target)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response


# When the session's expiry was last pushed back (Unix seconds), kept in the session.
SESSION_REFRESHED_AT = "_msq_refreshed_at"


def session_expiry_refresh(*, request: HttpRequest, force: bool = False) -> bool:
    """Push the signed-in session's expiry back to SESSION_COOKIE_AGE from now, at most once
    per SESSION_REFRESH_SECONDS (always when `force`). Returns whether it did.

    Marking the session modified makes SessionMiddleware save it (new expiry in
    the store) and send the cookie again with a fresh max-age. Saving it on
    every request (SESSION_SAVE_EVERY_REQUEST) was an UPDATE and a commit per
    request, which dominated signed-in requests under load; this way the idle
    timeout ends between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and
    SESSION_COOKIE_AGE after the last request, never later.
    """
    session = request.session
    now = int(time.time())
    last = session.get(SESSION_REFRESHED_AT)
    stale = (
        not isinstance(last, int)
        or now - last >= settings.SESSION_REFRESH_SECONDS
        # A clock set back: refresh rather than trust a stamp from the future.
        or now < last
    )
    if not (force or stale):
        return False
    session[SESSION_REFRESHED_AT] = now
    return True


class SessionIdleRefreshMiddleware:
    """The sliding idle timeout of signed-in sessions (see session_expiry_refresh).

    Placed after AuthenticationMiddleware. Runs before the view, so a view that
    ends the session (sign-out) is not followed by a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session_expiry_refresh(request=request)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the cookie and the browser, and the
    language cookie follows it (so the sign-in page after sign-out stays in it).

    Placed after AuthenticationMiddleware (and LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            language = user_language(user)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Read after the view: sign-in and the switcher may have changed it.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            language = user_language(user)
            if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
        return response


class UserTimeZoneMiddleware:
    """Times on an official's pages in their own zone (User.time_zone, from their browser);
    everyone else (reviewers, the signed-out) reads UTC, the portal's zone.

    Placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_official:
            timezone.activate(user_time_zone(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone is the thread's: the next request on it starts from UTC.
            timezone.deactivate()
