"""Reads of the read API: tokens by secret, and submissions in keyset (cursor) order."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User
from api.models import ApiToken
from api.services import token_sha256
from questionnaire.models import Submission


def api_token_for_secret(*, secret: str) -> ApiToken | None:
    """The unrevoked token whose secret this is, with its owner; None for any other string."""
    return (
        ApiToken.objects.select_related("user")
        .filter(secret_sha256=token_sha256(secret), revoked_at__isnull=True)
        .first()
    )


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """A person's tokens, newest first, revoked ones included (they say when)."""
    return ApiToken.objects.filter(user=user)


def submissions_page(
    *,
    edition_code: str | None = None,
    status: str | None = None,
    region: str | None = None,
    updated_since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int,
) -> list[Submission]:
    """Up to `limit` + 1 submissions in (updated_at, id) order, after the `after` key.

    One more than asked, so the caller knows whether there is a next page.
    The order by last change lets a client that keeps the last key resume
    exactly where it stopped, and ask later for what changed since.
    """
    queryset = Submission.objects.select_related("edition", "country").order_by("updated_at", "id")
    if edition_code:
        queryset = queryset.filter(edition__code=edition_code)
    if status:
        queryset = queryset.filter(status=status)
    if region:
        queryset = queryset.filter(country__region__iexact=region)
    if updated_since:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if after:
        moment, pk = after
        queryset = queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk))
    return list(queryset[: limit + 1])
