"""Password reset answers alike for any address; the link goes only to the stored one."""

import re
import time
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_REFRESHED_AT
from tests.factories import TEST_PASSWORD, UserFactory


def _ask(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def _without_csrf_tokens(content: bytes) -> bytes:
    # The header's language switcher is a form: its CSRF token is masked anew per page.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_password_reset_same_answer_for_known_and_unknown(client, focal_point):
    known = _ask(client, focal_point.email)
    unknown = _ask(client, "nobody@nowhere.example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf_tokens(known.content) == _without_csrf_tokens(unknown.content)
    assert len(mail.outbox) == 1


def _ask_from(client, email, address):
    return client.post(
        reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, follow=True
    )


def test_password_reset_sends_few_emails_per_account(client, focal_point, settings):
    """The issue's reproduction: 7 requests gave 7 e-mails."""
    answers = [_ask_from(client, focal_point.email, f"10.7.0.{n}") for n in range(7)]
    assert len(mail.outbox) == settings.PASSWORD_RESET_ACCOUNT_LIMIT == 3
    assert {_without_csrf_tokens(answer.content) for answer in answers} == {
        _without_csrf_tokens(answers[0].content)
    }
    assert "only a few e-mails are sent per hour" in answers[-1].content.decode()


def test_password_reset_sends_few_emails_per_address(client, db, settings):
    people = UserFactory.create_batch(7)
    answers = [_ask_from(client, person.email, "10.8.0.1") for person in people]
    assert len(mail.outbox) == settings.PASSWORD_RESET_ADDRESS_LIMIT == 5
    assert {_without_csrf_tokens(answer.content) for answer in answers} == {
        _without_csrf_tokens(answers[0].content)
    }
    # Another network still gets its e-mail.
    _ask_from(client, people[0].email, "10.8.0.2")
    assert len(mail.outbox) == 6


def test_password_reset_limited_answer_same_as_unknown_address(client, focal_point):
    for _ in range(3):
        _ask_from(client, focal_point.email, "10.9.0.1")
    limited = _ask_from(client, focal_point.email, "10.9.0.1")
    unknown = _ask_from(client, "nobody@nowhere.example.org", "10.9.0.2")
    assert limited.redirect_chain == unknown.redirect_chain
    assert _without_csrf_tokens(limited.content) == _without_csrf_tokens(unknown.content)
    assert len(mail.outbox) == 3


def test_password_reset_link_goes_only_to_stored_address(client, focal_point, settings):
    settings.SITE_URL = "https://msq.example.org"
    # Another case, and a look-alike with a dotless i / Kelvin sign, reach only the stored address.
    _ask(client, focal_point.email.upper())
    _ask(client, focal_point.email.replace("i", "\u0131"))
    assert [message.to for message in mail.outbox] == [[focal_point.email]]
    body = mail.outbox[0].body
    assert "https://msq.example.org/accounts/reset/" in body


def test_password_reset_link_ignores_host_header(client, focal_point, settings):
    settings.SITE_URL = "https://msq.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    client.post(reverse("password_reset"), {"email": focal_point.email}, HTTP_HOST="evil.example")
    assert "evil.example" not in mail.outbox[0].body
    assert "https://msq.example.org/" in mail.outbox[0].body


def test_password_reset_for_inactive_account_sends_nothing(client, focal_point):
    focal_point.is_active = False
    focal_point.save()
    _ask(client, focal_point.email)
    assert mail.outbox == []


def test_password_reset_link_sets_a_validated_password(client, focal_point):
    _ask(client, focal_point.email)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    weak = client.post(
        form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert "too common" in weak.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Another-good-one-77", "new_password2": "Another-good-one-77"},
    )
    assert done.status_code == 302
    focal_point.refresh_from_db()
    assert focal_point.check_password("Another-good-one-77")


def test_session_key_cycles_at_sign_in(client, focal_point, settings):
    before = SessionStore()
    before["probe"] = "before sign-in"
    before.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    response = client.post(
        reverse("login"), {"username": focal_point.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before.session_key
    assert not SessionStore().exists(before.session_key)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


def test_session_expiry_slides_with_activity(client, focal_point, settings, edition):
    client.force_login(focal_point)
    response = client.get(reverse("questionnaire:home"))
    assert response.status_code == 200
    # The first request sends the session cookie again with a fresh idle allowance.
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    body = response.content.decode()
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in body
    assert 'id="idle-warning"' in body
    assert "js/idle-timeout.js" in body


def test_session_keepalive_answers_idle_allowance(client, focal_point, settings):
    client.force_login(focal_point)
    client.get("/healthz")  # the expiry was just pushed back: only a forced refresh saves now
    response = client.post(reverse("accounts:session_keepalive"))
    assert response.status_code == 200
    assert response.json() == {"idle_seconds": settings.SESSION_COOKIE_AGE}
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def _session_expiry(client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _refreshed_ago(client, seconds: int) -> None:
    """Pretend the session's expiry was last pushed back `seconds` ago."""
    session = client.session
    session[SESSION_REFRESHED_AT] = int(time.time()) - seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=django_settings.SESSION_COOKIE_AGE - seconds)
    )


def test_session_is_not_written_on_every_request(client, focal_point, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    client.force_login(focal_point)
    client.get("/healthz")
    _refreshed_ago(client, 10)
    expiry = _session_expiry(client)
    response = client.get("/healthz")
    assert response.status_code == 200
    # Pushed back less than a minute ago: no session write, no new cookie.
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert _session_expiry(client) == expiry


def test_session_expiry_is_pushed_back_once_a_minute_has_passed(client, focal_point, settings):
    client.force_login(focal_point)
    client.get("/healthz")
    _refreshed_ago(client, settings.SESSION_REFRESH_SECONDS + 1)
    before = _session_expiry(client)
    response = client.get("/healthz")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    after = _session_expiry(client)
    assert after - before >= timedelta(seconds=settings.SESSION_REFRESH_SECONDS)
    assert after >= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)


def test_session_ends_after_the_idle_timeout(client, focal_point, settings):
    client.force_login(focal_point)
    client.get("/healthz")
    _refreshed_ago(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("questionnaire:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_signing_out_leaves_no_session_behind(client, focal_point):
    client.force_login(focal_point)
    client.get("/healthz")
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.exists()
