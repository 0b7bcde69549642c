"""Limits on guessing: who is behind a failed sign-in, and the limits wider than django-axes'.

django-axes locks an e-mail address out from one network address
(AXES_FAILURE_LIMIT). That alone lets one address try a few passwords on
every account, and lets a locked account be tried again at once from another
address. So two more limits, counted in the shared cache (msq_portal.ratelimit):
failed sign-ins from one network address whatever the e-mail, and failed
sign-ins with one e-mail address whatever the network. They count any e-mail
typed, existing or not, and answer alike, so they tell nobody which accounts
exist. Password-reset requests are limited the same way, per network address
and per e-mail address.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from msq_portal.ratelimit import rate_limit_exceeded, rate_limit_reset

# Set on a request refused by the limits below to how long the block lasts, for the lockout
# page (which limit is not said).
REQUEST_LIMIT_ATTRIBUTE = "msq_sign_in_limit"


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str:
    """The user name tried, lower-cased and stripped.

    E-mail addresses sign in in any case, so FOCAL@x and focal@x must count as
    one user name, or changing the case would dodge the lockout.
    """
    if credentials and credentials.get("username") is not None:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "POST", {}).get("username", "")
    # django-axes stores at most 255 characters; longer names are refused by the form anyway.
    return str(raw or "").strip().lower()[:255]


def client_address(request: HttpRequest) -> str:
    """The client's network address as django-axes reads it (AXES_PROXY_COUNT behind proxies)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _account_key(email: str) -> str:
    # Hashed: the cache need not hold e-mail addresses, and any typed text makes a valid key.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _sign_in_keys(request: HttpRequest, username: str) -> dict[str, tuple[str, int]]:
    """Scope → (key, failure limit) of the two wide sign-in limits."""
    return {
        "sign-in-address": (client_address(request), settings.SIGN_IN_ADDRESS_FAILURE_LIMIT),
        "sign-in-account": (_account_key(username), settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT),
    }


def _blocked_key(scope: str, key: str) -> str:
    return f"blocked:{scope}:{key}"


def sign_in_failure_count(*, request: HttpRequest, username: str) -> None:
    """Count a failed sign-in against both wide limits; the one reached blocks for its window.

    Side effects: increments the cache counters; sets a block in the cache for
    SIGN_IN_LIMIT_WINDOW_SECONDS when a count reaches its limit.
    """
    window = settings.SIGN_IN_LIMIT_WINDOW_SECONDS
    for scope, (key, limit) in _sign_in_keys(request, username).items():
        # "Exceeded" means more than the limit given: the limit-th failure blocks.
        if rate_limit_exceeded(scope=scope, key=key, limit=limit - 1, window_seconds=window):
            caches["default"].set(_blocked_key(scope, key), True, timeout=window)


def sign_in_blocked(*, request: HttpRequest, username: str) -> bool:
    """Whether a wide limit blocks this sign-in (its address or its e-mail address)."""
    scopes = _sign_in_keys(request, username).items()
    keys = [_blocked_key(scope, key) for scope, (key, _limit) in scopes]
    return bool(caches["default"].get_many(keys))


def sign_in_account_unblock(*, email: str) -> None:
    """Lift the e-mail address's wide block and forget its failures (the admin's unlock)."""
    key = _account_key(email)
    rate_limit_reset(scope="sign-in-account", key=key)
    caches["default"].delete(_blocked_key("sign-in-account", key))


def sign_in_failed_receiver(sender, credentials: dict, request: HttpRequest | None = None, **kw):
    """user_login_failed: count the failure, unless the wide limits refused it unchecked."""
    if request is None or getattr(request, REQUEST_LIMIT_ATTRIBUTE, False):
        return
    sign_in_failure_count(request=request, username=username_from_request(request, credentials))


class SignInLimitBackend:
    """First authentication backend: refuses a sign-in a wide limit blocks, before any
    password is checked, and has django-axes' middleware show its lockout page (429)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        name = username_from_request(request, {"username": username})
        if sign_in_blocked(request=request, username=name):
            window = timedelta(seconds=settings.SIGN_IN_LIMIT_WINDOW_SECONDS)
            setattr(request, REQUEST_LIMIT_ATTRIBUTE, window)
            request.axes_locked_out = True
            raise PermissionDenied
        return None

    # No get_user(): it loads nobody, and Django's test client and session code pick the
    # first backend that has one to sign people in with.


def password_reset_limited(*, request: HttpRequest, email: str) -> bool:
    """Count a password-reset request; True when its network or e-mail address is over its limit.

    Both counters count every request, so that a caller over one limit stays
    counted against the other too.
    """
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    over = [
        rate_limit_exceeded(
            scope="password-reset-address",
            key=client_address(request),
            limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
            window_seconds=window,
        ),
        rate_limit_exceeded(
            scope="password-reset-account",
            key=_account_key(email),
            limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
            window_seconds=window,
        ),
    ]
    return any(over)
