"""Two-factor sign-in (TOTP): required for staff when so configured, optional for officials."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp slows down repeated wrong codes; the tests type them on purpose.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _set_up(client, user, *, next_url="") -> TOTPDevice:
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("accounts:two_factor_setup"), {"token": _code(device), "next": next_url}
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def _sign_in(client, user):
    client.logout()
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_staff_without_device_sent_to_setup_when_required(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert "next=%2Fadmin%2F" in response["Location"]
    _set_up(client, reviewer, next_url="/admin/")
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_device_must_verify_each_sign_in(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    client.force_login(reviewer)
    device = _set_up(client, reviewer)
    _sign_in(client, reviewer)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    if _code(device) != "000000":
        assert wrong.status_code == 400
        assert "not right" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the set-up used this code
    right = client.post(
        reverse("accounts:two_factor_verify"), {"token": _code(device), "next": "/admin/"}
    )
    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_verify_refuses_letters_with_message(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    client.force_login(reviewer)
    _set_up(client, reviewer)
    _sign_in(client, reviewer)
    response = client.post(reverse("accounts:two_factor_verify"), {"token": "12a456"})
    assert response.status_code == 400
    assert "digits" in response.content.decode()


def test_staff_not_asked_when_not_required(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF = False
    client.force_login(reviewer)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_may_sign_out_before_setting_up(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    client.force_login(reviewer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_official_not_asked_by_default(client, focal_point, edition, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    client.force_login(focal_point)
    assert client.get(reverse("questionnaire:home")).status_code == 200


def test_official_opts_in_then_is_asked_at_next_sign_in(client, focal_point, edition):
    client.force_login(focal_point)
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Turn on two-factor sign-in" in account
    device = _set_up(client, focal_point)
    assert client.get(reverse("questionnaire:home")).status_code == 200
    _sign_in(client, focal_point)
    response = client.get(reverse("questionnaire:home"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    client.post(reverse("accounts:two_factor_verify"), {"token": _code(device)})
    assert client.get(reverse("questionnaire:home")).status_code == 200


def test_setup_with_wrong_code_leaves_two_factor_off(client, focal_point):
    client.force_login(focal_point)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=focal_point)
    wrong = "111111" if _code(device) != "111111" else "222222"
    response = client.post(reverse("accounts:two_factor_setup"), {"token": wrong})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=focal_point, confirmed=True).exists()


def test_setup_next_refuses_other_hosts(client, focal_point):
    client.force_login(focal_point)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=focal_point)
    response = client.post(
        reverse("accounts:two_factor_setup"),
        {"token": _code(device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert not re.match(r"https?://evil", response["Location"])


def test_production_requires_two_factor_for_staff():
    import json
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.OTP_REQUIRED_FOR_STAFF, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_HTTPONLY]))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "msq_portal.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "k3$-a-real-looking-secret-key-that-is-long-enough-0123456789",
            "DJANGO_ALLOWED_HOSTS": "msq.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    required, session_secure, csrf_secure, hsts, httponly = json.loads(
        completed.stdout.strip().splitlines()[-1]
    )
    assert required is True
    assert session_secure and csrf_secure and httponly
    assert hsts >= 60 * 60 * 24 * 365


def test_password_alone_cannot_replace_the_device(client, focal_point, edition):
    client.force_login(focal_point)
    _set_up(client, focal_point)
    _sign_in(client, focal_point)
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_verify")
    posted = client.post(reverse("accounts:two_factor_setup"), {"token": "123456"})
    assert posted["Location"] == reverse("accounts:two_factor_verify")
    assert TOTPDevice.objects.filter(user=focal_point).count() == 1
