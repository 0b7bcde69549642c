"""Keeping a save that arrived after the session expired, until the official signs in again.

The draft itself lives in the database; this only carries one posted form
across the sign-in. The page embeds a signed token naming its country, so a
stash is applied only for an official of that same country: on a shared
computer another country's official never receives it.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, QueryDict

STASH_KEY = "msq_unsaved_post"
_SALT = "questionnaire.session_stash"
# Long enough for a weekend away from the desk.
_MAX_AGE = 60 * 60 * 24 * 7
_SKIP = {"csrfmiddlewaretoken"}


def stash_token(*, country_id: int) -> str:
    """The token a step page embeds (field "owner") to name the country it belongs to."""
    return signing.dumps({"country": country_id}, salt=_SALT)


def stash_save(request: HttpRequest, *, step: str) -> bool:
    """Keep the anonymous POST in the session for `step`; False if it carries no valid token."""
    try:
        owner = signing.loads(request.POST.get("owner", ""), salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return False
    request.session[STASH_KEY] = {
        "step": step,
        "country": owner["country"],
        "data": {key: values for key, values in request.POST.lists() if key not in _SKIP},
    }
    return True


def stash_pop(request: HttpRequest, *, step: str, country_id: int) -> QueryDict | None:
    """The stashed POST for `step` if it belongs to `country_id` (removed from the session either
    way once it names this step), else None."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("step") != step:
        return None
    del request.session[STASH_KEY]
    if stash.get("country") != country_id:
        return None
    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    return data


def stash_step(request: HttpRequest) -> str | None:
    stash = request.session.get(STASH_KEY)
    return stash.get("step") if stash else None
