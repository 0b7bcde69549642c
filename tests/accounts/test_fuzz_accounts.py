"""Hostile input to every accounts form (hypothesis): never a 500, a clear error, escaped output."""

from contextlib import contextmanager

from django.core import mail
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.invitations import invitation_token_hash
from accounts.models import Invitation, User
from tests.factories import InvitationFactory
from tests.fuzz_strategies import FUZZ, nasty_text, shows_error, unescaped_markup, wrong_type

GOOD_PASSWORD = "Fuzzed-but-fine-2024"


@contextmanager
def rolled_back():
    """One hypothesis example: whatever it writes is undone before the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _form_value(value) -> str | list[str]:
    """What a hostile client can put in a form field: text, or several values."""
    if isinstance(value, list):
        return [str(item) for item in value[:50]]
    return str(value)


@FUZZ
@given(username=nasty_text, password=nasty_text)
def test_fuzz_sign_in_refused_with_message(client, focal_point, username, password):
    with rolled_back():
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code in {200, 429}
        body = response.content.decode()
        assert shows_error(body)
        assert not unescaped_markup(username, body)
        assert "_auth_user_id" not in client.session


@FUZZ
@given(email=nasty_text)
def test_fuzz_password_reset_same_answer_and_no_mail(client, focal_point, email):
    with rolled_back():
        mail.outbox.clear()
        response = client.post(reverse("password_reset"), {"email": email})
        if response.status_code == 302:
            assert response["Location"] == reverse("password_reset_done")
        else:
            assert response.status_code == 200
            assert shows_error(response.content.decode())
        assert mail.outbox == []


@FUZZ
@given(full_name=nasty_text, password1=nasty_text, password2=st.none() | nasty_text)
def test_fuzz_invitation_accept(client, country_a, full_name, password1, password2):
    with rolled_back():
        InvitationFactory(
            email="fuzz@gov.example.org",
            country=country_a,
            token_hash=invitation_token_hash("fuzz-token"),
        )
        client.get(reverse("accounts:invitation_accept", args=["fuzz-token"]))
        response = client.post(
            reverse("accounts:invitation_set_password"),
            {
                "full_name": full_name,
                "new_password1": password1,
                "new_password2": password1 if password2 is None else password2,
            },
        )
        user = User.objects.filter(email="fuzz@gov.example.org").first()
        if response.status_code == 302:
            # Accepted: the name kept exactly as typed (less surrounding spaces), never cut.
            assert user is not None and user.full_name == full_name.strip()
            assert user.check_password(password1)
        else:
            assert response.status_code == 200
            body = response.content.decode()
            assert shows_error(body)
            assert not unescaped_markup(full_name, body)
            assert user is None
            assert Invitation.objects.get().used_at is None


@FUZZ
@given(email=nasty_text | wrong_type, country=wrong_type, role=nasty_text | wrong_type)
def test_fuzz_staff_invite(client, reviewer, email, country, role):
    client.force_login(reviewer)
    with rolled_back():
        response = client.post(
            reverse("accounts:staff_invite"),
            {
                "email": _form_value(email),
                "country": _form_value(country),
                "role": _form_value(role),
            },
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert shows_error(body)
        assert not unescaped_markup(str(email), body)
        assert not Invitation.objects.exists()


@FUZZ
@given(email=nasty_text | wrong_type, new_focal_point=wrong_type)
def test_fuzz_team_invite_and_handover(client, focal_point, email, new_focal_point):
    client.force_login(focal_point)
    with rolled_back():
        invite = client.post(reverse("accounts:team"), {"invite-email": _form_value(email)})
        assert invite.status_code in {302, 400}
        if invite.status_code == 400:
            assert shows_error(invite.content.decode())
            assert not Invitation.objects.exists()
        handover = client.post(
            reverse("accounts:team"), {"handover-new_focal_point": _form_value(new_focal_point)}
        )
        assert handover.status_code == 400
        assert shows_error(handover.content.decode())
        focal_point.refresh_from_db()
        assert focal_point.role == User.Role.FOCAL_POINT


@FUZZ
@given(token=nasty_text | wrong_type)
def test_fuzz_two_factor_codes(client, focal_point, token):
    client.force_login(focal_point)
    with rolled_back():
        client.get(reverse("accounts:two_factor_setup"))
        response = client.post(reverse("accounts:two_factor_setup"), {"token": _form_value(token)})
        assert response.status_code == 400
        assert shows_error(response.content.decode())
        assert not focal_point.totpdevice_set.filter(confirmed=True).exists()


@FUZZ
@given(token=st.text(max_size=300))
def test_fuzz_invitation_links(client, db, token):
    token = token.replace("/", "")
    if not token:
        return
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 404
    assert "not known" in response.content.decode()


@FUZZ
@given(full_name=nasty_text)
def test_fuzz_names_escaped_on_team_page_and_admin(client, focal_point, reviewer, full_name):
    # Stored directly (as an admin edit would): without NUL, which forms refuse and
    # PostgreSQL cannot store.
    full_name = full_name.replace("\x00", "")[:200]
    with rolled_back():
        User.objects.filter(pk=focal_point.pk).update(full_name=full_name)
        client.force_login(focal_point)
        team = client.get(reverse("accounts:team")).content.decode()
        assert not unescaped_markup(full_name, team)
        client.force_login(reviewer)
        admin_page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
        assert not unescaped_markup(full_name, admin_page)
