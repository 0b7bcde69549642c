"""Who may call the read API: every route by every kind of caller.

Only a reviewer's unrevoked token is let in; sessions count for nothing (no
cookie authentication, so no CSRF surface), and a refusal shows no data.
"""

import pytest
from django.urls import reverse

from api.models import ApiCall
from tests.api.conftest import MARKER, bearer

# Every data route of /api/v1/ (the OpenAPI document and its docs page are public: no data).
ROUTES = {
    "api:editions": lambda s: {},
    "api:edition": lambda s: {"code": s.edition.code},
    "api:edition_tidy_csv": lambda s: {"code": s.edition.code},
    "api:edition_tidy_jsonl": lambda s: {"code": s.edition.code},
    "api:submissions": lambda s: {},
    "api:submission_answers": lambda s: {"submission_id": s.pk},
}

# caller -> expected status
CALLERS = {
    "anonymous": 401,
    "official_session": 401,
    "official_token": 403,
    "reviewer_session_without_token": 401,
    "reviewer_token": 200,
    "revoked_token": 401,
    "unknown_token": 401,
}


@pytest.fixture
def call(client, focal_point, reviewer, reviewer_token, revoked_token, official_token):
    def request(caller: str, url: str):
        headers = {}
        if caller == "official_session":
            client.force_login(focal_point)
        elif caller == "reviewer_session_without_token":
            client.force_login(reviewer)
        elif caller == "official_token":
            headers = bearer(official_token)
        elif caller == "reviewer_token":
            headers = bearer(reviewer_token)
        elif caller == "revoked_token":
            headers = bearer(revoked_token)
        elif caller == "unknown_token":
            headers = bearer("msq_" + "x" * 43)
        return client.get(url, headers=headers)

    return request


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_api_route_answers_caller_as_expected(call, submission_a, route, caller):
    url = reverse(route, kwargs=ROUTES[route](submission_a))
    response = call(caller, url)
    body = _body(response)
    assert response.status_code == CALLERS[caller], body[:300]
    assert response["Content-Type"].split(";")[0] != "text/html", "never a page or a redirect"
    if CALLERS[caller] != 200:
        assert response.json()["detail"]
        assert MARKER.encode() not in body
        assert submission_a.country.iso3.encode() not in body
    if route in {"api:submission_answers", "api:edition_tidy_csv", "api:edition_tidy_jsonl"}:
        assert (MARKER.encode() in body) == (CALLERS[caller] == 200)


def test_api_401_says_how_to_authenticate(client, db):
    response = client.get(reverse("api:editions"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]


def test_api_post_is_not_allowed_even_with_a_token(client, submission_a, reviewer_token):
    response = client.post(
        reverse("api:submissions"),
        {},
        content_type="application/json",
        **{"HTTP_AUTHORIZATION": f"Bearer {reviewer_token}"},
    )
    assert response.status_code == 405


def test_api_official_token_call_is_recorded_with_its_owner(
    client, submission_a, official_token, focal_point
):
    client.get(reverse("api:submissions"), headers=bearer(official_token))
    call = ApiCall.objects.get()
    assert (call.user, call.status, call.path) == (focal_point, 403, "/api/v1/submissions")


@pytest.mark.parametrize("name", ["api:openapi-json", "api:openapi-view"])
def test_api_schema_and_docs_are_public_without_data(client, submission_a, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert MARKER.encode() not in response.content
