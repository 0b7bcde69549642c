"""Reviewers make and revoke their API tokens on their account page; nobody else can."""

import hashlib

from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_create
from tests import factories


def test_account_page_offers_tokens_to_reviewers_only(client, reviewer, focal_point):
    client.force_login(reviewer)
    assert "Make a token" in client.get(reverse("accounts:account")).content.decode()
    client.force_login(focal_point)
    assert "API tokens" not in client.get(reverse("accounts:account")).content.decode()


def test_token_created_is_shown_once_and_stored_hashed(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("api_tokens:create"), {"name": "R on my laptop"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=reviewer)
    page = response.content.decode()
    secret = page.split('id="api-token-secret"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith(token.prefix) and len(secret) > 40
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values_list()))
    account = client.get(reverse("accounts:account")).content.decode()
    assert token.prefix in account and secret not in account
    assert (
        client.get("/api/v1/editions", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )


def test_token_without_name_is_refused_with_the_form(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("api_tokens:create"), {"name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_official_cannot_make_a_token(client, focal_point):
    client.force_login(focal_point)
    assert client.post(reverse("api_tokens:create"), {"name": "mine"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_revoked_token_is_refused_from_then_on(client, reviewer):
    token, secret = api_token_create(user=reviewer, name="old")
    client.force_login(reviewer)
    response = client.post(reverse("api_tokens:revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert (
        client.get("/api/v1/editions", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def test_another_reviewers_token_cannot_be_revoked(client, reviewer):
    token, _secret = api_token_create(user=reviewer, name="theirs")
    client.force_login(factories.ReviewerFactory())
    response = client.post(reverse("api_tokens:revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
