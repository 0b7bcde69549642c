"""Keeping a save that arrived after the session expired, until the official signs in again.

The draft itself lives in the database; this only carries one posted form
across the sign-in. The page embeds a signed token naming the official it
was shown to (and their country), so a stash is applied only when that same
person signs in again: on a shared computer neither another country's
official nor a colleague of the same country receives it (what it would save
would be recorded as theirs). The token expires after
settings.MSQ_STASH_MAX_AGE_SECONDS, so a page left open for days cannot
carry a save in.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, QueryDict

STASH_KEY = "msq_unsaved_post"
# A new salt: tokens of the country-only kind (valid for a week) are all refused.
_SALT = "questionnaire.filling.session_stash.person"
_SKIP = {"csrfmiddlewaretoken"}


def stash_token(*, country_id: int, user_id: int) -> str:
    """The token a step page embeds (field "owner") to name who it was shown to."""
    return signing.dumps({"country": country_id, "user": user_id}, salt=_SALT)


def stash_save(request: HttpRequest, *, step: str) -> bool:
    """Keep the anonymous POST in the session for `step`; False if it carries no valid token
    (none, forged, older than MSQ_STASH_MAX_AGE_SECONDS, or naming nobody)."""
    try:
        owner = signing.loads(
            request.POST.get("owner", ""), salt=_SALT, max_age=settings.MSQ_STASH_MAX_AGE_SECONDS
        )
    except signing.BadSignature:
        return False
    if not isinstance(owner, dict) or not owner.get("user") or not owner.get("country"):
        return False
    request.session[STASH_KEY] = {
        "step": step,
        "country": owner["country"],
        "user": owner["user"],
        "data": {key: values for key, values in request.POST.lists() if key not in _SKIP},
    }
    return True


def stash_pop(request: HttpRequest, *, step: str, country_id: int) -> QueryDict | None:
    """The stashed POST for `step` if it was typed by the signed-in official, for `country_id`
    (removed from the session either way once it names this step), else None."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("step") != step:
        return None
    del request.session[STASH_KEY]
    if stash.get("country") != country_id or stash.get("user") != request.user.pk:
        return None
    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    return data
