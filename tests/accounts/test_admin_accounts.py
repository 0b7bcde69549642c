"""The accounts admin for reviewers: reading people, never raising privileges or taking
an account over; e-mail changes by superusers, on record and announced."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory


def _change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_reviewer_renames_and_deactivates_from_their_page(client, reviewer, focal_point):
    client.force_login(reviewer)
    page = client.get(_change_url(focal_point)).content.decode()
    # The page offers neither the e-mail address, the country nor the role as inputs.
    for field in ("email", "country", "role", "is_staff", "is_superuser"):
        assert f'name="{field}"' not in page, field
    assert 'name="full_name"' in page
    response = client.post(_change_url(focal_point), {"full_name": "Changed"})
    assert response.status_code == 302
    focal_point.refresh_from_db()
    assert focal_point.full_name == "Changed"
    assert not focal_point.is_active  # the unticked box


def test_reviewer_cannot_make_anyone_superuser(client, reviewer, focal_point):
    client.force_login(reviewer)
    response = client.post(
        _change_url(focal_point),
        {"full_name": "Changed", "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    focal_point.refresh_from_db()
    assert focal_point.full_name != "Changed"
    assert not focal_point.is_staff and not focal_point.is_superuser


@pytest.mark.parametrize(
    "field", ["email", "country", "role", "password", "groups", "user_permissions"]
)
def test_reviewer_post_of_a_credential_field_refused_and_nothing_saved(
    client, reviewer, focal_point, outsider, field
):
    values = {
        "email": "reviewer-owned@example.org",
        "country": outsider.country_id,
        "role": "contributor",
        "password": "pbkdf2_sha256$1$x$y",
        "groups": "1",
        "user_permissions": "1",
    }
    before = {f: getattr(focal_point, f) for f in ("email", "country_id", "role", "password")}
    client.force_login(reviewer)
    response = client.post(
        _change_url(focal_point),
        {"full_name": "Changed", "is_active": "on", field: values[field]},
    )
    assert response.status_code == 403
    focal_point.refresh_from_db()
    assert {f: getattr(focal_point, f) for f in before} == before
    assert focal_point.full_name != "Changed"
    assert mail.outbox == []


def test_reviewer_cannot_take_over_an_official_by_email_and_reset(client, reviewer, focal_point):
    """The attack of the issue: change the focal point's address to one's own, then reset."""
    client.force_login(reviewer)
    client.post(
        _change_url(focal_point),
        {"email": "attacker@un.example.org", "full_name": focal_point.full_name, "is_active": "on"},
    )
    focal_point.refresh_from_db()
    assert focal_point.email != "attacker@un.example.org"
    client.logout()
    client.post(reverse("password_reset"), {"email": "attacker@un.example.org"})
    assert mail.outbox == []


def test_reviewers_group_cannot_change_users(reviewer):
    assert not reviewer.has_perm("accounts.change_user")
    assert not reviewer.has_perm("accounts.add_user")
    assert reviewer.has_perm("accounts.view_user")


def _superuser_form(user, *, email: str) -> dict:
    """What a superuser's change page posts for `user`, with another e-mail address."""
    return {
        "email": email,
        "full_name": user.full_name,
        "country": user.country_id,
        "role": user.role,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }


def test_superuser_email_change_recorded_and_both_addresses_told(
    client, focal_point, django_capture_on_commit_callbacks
):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@un.example.org")
    client.force_login(superuser)
    old = focal_point.email
    page = client.get(_change_url(focal_point))
    assert 'name="email"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change_url(focal_point),
            _superuser_form(focal_point, email="New.Address@Gov.example.org"),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    focal_point.refresh_from_db()
    assert focal_point.email == "new.address@gov.example.org"
    entry = LogEntry.objects.filter(object_id=str(focal_point.pk), user=superuser).get(
        change_message__startswith="E-mail address changed"
    )
    assert old in entry.change_message and "new.address@gov.example.org" in entry.change_message
    assert "root@un.example.org" in entry.change_message and entry.action_time
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [old, "new.address@gov.example.org"]
    )
    body = mail.outbox[0].body
    assert old in body and "new.address@gov.example.org" in body
    assert "write to DPIDG at once" in body
    # The official signs in with the new address, not the old one.
    client.logout()
    signed_in = client.post(
        reverse("login"), {"username": "new.address@gov.example.org", "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_superuser_email_change_to_a_taken_address_refused(client, focal_point, contributor):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.post(
        _change_url(focal_point),
        _superuser_form(focal_point, email=contributor.email.upper()),
    )
    assert response.status_code == 200
    assert re.search(r"Another account already uses this e-mail address", response.content.decode())
    focal_point.refresh_from_db()
    assert focal_point.email != contributor.email
    assert mail.outbox == []


def test_reviewer_cannot_set_an_official_password(client, reviewer, focal_point):
    client.force_login(reviewer)
    url = reverse("admin:auth_user_password_change", args=[focal_point.pk])
    response = client.post(
        url, {"password1": "Pwned-password-123", "password2": "Pwned-password-123"}
    )
    assert response.status_code == 403
    focal_point.refresh_from_db()
    assert not focal_point.check_password("Pwned-password-123")


def test_official_cannot_open_user_admin(client, focal_point):
    client.force_login(focal_point)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
