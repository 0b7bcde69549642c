"""Sign-in protection: django-axes locks a user name out from one address; wider limits
block one address across accounts and one account across addresses."""

import re

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
    # Below the wider limits, the same person from another network, and another person from
    # the same one, get in.
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


def _sign_in(client, email, address, password=TEST_PASSWORD):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def _page_without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_one_address_guessing_across_accounts_is_blocked(client, focal_point, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    # One wrong password on each of 8 accounts (here mostly unknown ones) from one address.
    for n in range(8):
        _fail(client, f"someone{n}@gov.example.org", 1, address="10.0.0.5")
    blocked = _sign_in(client, focal_point.email, "10.0.0.5")
    assert blocked.status_code == 429
    body = blocked.content.decode()
    assert "Too many failed attempts to sign in from your network or with this e-mail" in body
    assert "Try again in 1 hour" in body
    assert "_auth_user_id" not in client.session
    # Other networks are not affected.
    assert _sign_in(client, focal_point.email, "10.0.0.6").status_code == 302


def test_below_the_address_limit_other_accounts_sign_in(client, focal_point, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(7):
        _fail(client, f"someone{n}@gov.example.org", 1, address="10.0.0.5")
    assert _sign_in(client, focal_point.email, "10.0.0.5").status_code == 302


def test_one_account_guessed_from_many_addresses_is_blocked_everywhere(
    client, focal_point, settings
):
    limit = settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        _fail(client, focal_point.email.upper() if n % 2 else focal_point.email, 1, f"10.1.0.{n}")
    blocked = _sign_in(client, focal_point.email, "10.2.0.1")
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wide_limits_answer_alike_for_known_and_unknown_accounts(client, focal_point, settings):
    limit = settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
    for email in (focal_point.email, "nobody@nowhere.example.org"):
        for n in range(limit):
            _fail(client, email, 1, f"10.3.0.{n}")
    known = _sign_in(client, focal_point.email, "10.4.0.1", password="wrong")
    unknown = _sign_in(client, "nobody@nowhere.example.org", "10.4.0.1", password="wrong")
    assert known.status_code == unknown.status_code == 429
    assert _page_without_tokens(known) == _page_without_tokens(unknown)


def test_reviewer_unlock_lifts_the_account_wide_block(client, focal_point, reviewer, settings):
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        _fail(client, focal_point.email, 1, f"10.5.0.{n}")
    assert _sign_in(client, focal_point.email, "10.6.0.1").status_code == 429
    staff = client.__class__()
    staff.force_login(reviewer)
    staff.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [focal_point.pk]},
    )
    assert _sign_in(client, focal_point.email, "10.6.0.1").status_code == 302
