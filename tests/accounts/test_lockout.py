"""Sign-in protection: django-axes locks a user name out from one address."""

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def _fail(client, email, times, address="10.0.0.1"):
    for _ in range(times):
        client.post(reverse("login"), {"username": email, "password": "wrong"}, REMOTE_ADDR=address)


def test_lockout_after_repeated_failures_shows_clear_message(client, focal_point, limit):
    _fail(client, focal_point.email, limit)
    response = client.post(
        reverse("login"),
        {"username": focal_point.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in temporarily blocked" in body
    assert "Try again in 30 minutes" in body
    assert 'role="alert"' in body
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_user_name_in_any_case(client, focal_point, limit):
    _fail(client, focal_point.email.upper(), limit)
    response = client.post(
        reverse("login"),
        {"username": focal_point.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429


def test_lockout_is_per_user_name_and_address(client, focal_point, contributor, limit):
    _fail(client, focal_point.email, limit, address="10.0.0.1")
    # The same person from another network, and another person from the same one, get in.
    other_address = client.post(
        reverse("login"),
        {"username": focal_point.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert other_address.status_code == 302
    client.logout()
    other_user = client.post(
        reverse("login"),
        {"username": contributor.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert other_user.status_code == 302


def test_failures_below_the_limit_do_not_lock(client, focal_point, limit):
    _fail(client, focal_point.email, limit - 1)
    response = client.post(
        reverse("login"),
        {"username": focal_point.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_reviewer_unlocks_from_user_admin(client, focal_point, reviewer, limit):
    _fail(client, focal_point.email, limit)
    staff = client.__class__()
    staff.force_login(reviewer)
    response = staff.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [focal_point.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 account unlocked" in response.content.decode()
    response = client.post(
        reverse("login"),
        {"username": focal_point.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_admin_sign_in_is_protected_too(client, reviewer, limit):
    for _ in range(limit):
        client.post(
            reverse("admin:login"),
            {"username": reviewer.email, "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
        )
    response = client.post(
        reverse("admin:login"),
        {"username": reviewer.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("name", ["login", "admin:login"])
def test_sign_in_with_overlong_username_refused_with_message(client, db, name):
    response = client.post(reverse(name), {"username": "é" * 20_000, "password": "x"})
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
