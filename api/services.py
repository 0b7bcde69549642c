"""Writes of the read API: tokens made and revoked, calls recorded."""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.utils import timezone

from accounts.access import is_reviewer
from accounts.models import User
from api.models import ApiCall, ApiToken

logger = logging.getLogger("api.calls")

TOKEN_PREFIX = "msq_"  # noqa: S105 - the visible start of every token, not a secret
# Characters of the token shown on the account page to tell tokens apart.
PREFIX_SHOWN = 12


class ApiTokenError(Exception):
    """A token that cannot be made as asked; the message is for the reviewer."""


def token_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token for a reviewer; returns the row and the token itself.

    The token (32 random bytes) is returned once and stored only as its SHA-256.
    Raises ApiTokenError for anyone but a reviewer, or without a name.
    """
    if not is_reviewer(user):
        raise ApiTokenError("API tokens are for reviewers only.")
    name = name.strip()
    if not name:
        raise ApiTokenError("Give the token a name.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:PREFIX_SHOWN],
        secret_sha256=token_sha256(secret),
    )
    return token, secret


def api_token_revoke(*, token: ApiToken) -> bool:
    """Revoke a token for good (its calls stay recorded); False when it already was."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def api_call_record(*, token: ApiToken, method: str, path: str, query: str, status: int) -> None:
    """Record a call made with `token` (a row and a structured log line) and its last use.

    Side effects: an ApiCall row; ApiToken.last_used_at set to now.
    """
    now = timezone.now()
    ApiCall.objects.create(
        token=token, user_id=token.user_id, method=method, path=path, query=query, status=status
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    logger.info(
        "api call",
        extra={
            "api_token": token.prefix,
            "api_user": token.user_id,
            "method": method,
            "path": path,
            "status": status,
        },
    )
