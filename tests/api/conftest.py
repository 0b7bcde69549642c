"""People and tokens for the read API's tests."""

import pytest

from api.models import ApiToken
from api.services import TOKEN_PREFIX, api_token_create, api_token_revoke, token_sha256
from questionnaire.models import Submission
from tests import factories

MARKER = "MARKER-API-answer-5c2e"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def reviewer_token(reviewer) -> str:
    _token, secret = api_token_create(user=reviewer, name="R scripts")
    return secret


@pytest.fixture
def revoked_token(reviewer) -> str:
    token, secret = api_token_create(user=reviewer, name="old laptop")
    api_token_revoke(token=token)
    return secret


@pytest.fixture
def official_token(focal_point) -> str:
    """A token held by an official: the service refuses to make one, so it is written
    directly, as if its owner had been a reviewer once."""
    secret = TOKEN_PREFIX + "official-held-token-000000000000000000"
    ApiToken.objects.create(
        user=focal_point, name="not allowed", prefix=secret[:12], secret_sha256=token_sha256(secret)
    )
    return secret


@pytest.fixture
def submission_a(edition, country_a, focal_point) -> Submission:
    """Country A's submitted answers, one of them holding MARKER."""
    values = factories.answers_full(edition)
    question = next(q for q in edition.questions.order_by("order") if q.parts[0]["kind"] == "text")
    values[question.code][question.parts[0]["name"]] = MARKER
    return factories.submission_full(
        edition=edition, country=country_a, submitted_by=focal_point, values=values
    )
