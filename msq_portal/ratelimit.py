"""A fixed-window counter in the shared cache, for the portal's rate limits.

Used for sign-in, password-reset and draft-preview limits. The cache must be
shared by every web process for a limit to hold across them: with
`CACHE_URL` or a Redis broker set, `settings.CACHES` points at Redis; the
embedded default (one process) uses local memory.

Not django-ratelimit: it supports only django-redis and memcached clients and
refuses Django's own RedisCache, which has the atomic `incr` this needs.
"""

from django.core.cache import caches


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one more attempt for (`scope`, `key`); True once the window holds more than `limit`.

    The window starts at the first attempt and lasts `window_seconds`; attempts
    over the limit still count, so a client that keeps trying stays limited.
    """
    cache = caches["default"]
    cache_key = f"ratelimit:{scope}:{key}"
    # add() creates the counter only if absent (atomic); incr() is atomic on Redis and locmem.
    if cache.add(cache_key, 1, timeout=window_seconds):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr(): a new window
            cache.add(cache_key, 1, timeout=window_seconds)
            count = 1
    return count > limit


def rate_limit_reset(*, scope: str, key: str) -> None:
    """Forget the attempts of (`scope`, `key`), e.g. after a successful sign-in."""
    caches["default"].delete(f"ratelimit:{scope}:{key}")
