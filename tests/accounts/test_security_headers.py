"""Security headers on every kind of page, and pages the CSP would not break."""

import pytest
from django.urls import reverse

from tests.page_checks import csp_violations


@pytest.fixture
def superuser(db):
    from accounts.models import User

    return User.objects.create_superuser(email="root@un.example.org", password="x" * 16)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_security_headers_on_public_pages(client, db, name):
    response = client.get(reverse(name))
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert csp_violations(response.content.decode()) == []


def test_csrf_and_session_cookies_are_httponly(client, focal_point):
    from tests.factories import TEST_PASSWORD

    client.get(reverse("login"))
    response = client.post(
        reverse("login"), {"username": focal_point.email, "password": TEST_PASSWORD}
    )
    assert response.cookies["sessionid"]["httponly"]
    assert client.cookies["csrftoken"]["httponly"]


def test_official_pages_have_no_inline_script_or_style(client, focal_point, edition):
    client.force_login(focal_point)
    for url in [
        reverse("questionnaire:home"),
        reverse("accounts:team"),
        reverse("accounts:account"),
        reverse("accounts:two_factor_setup"),
        reverse("password_change"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response
        assert csp_violations(response.content.decode()) == [], url


def test_admin_pages_work_under_the_policy(client, superuser, focal_point, edition):
    """The Django admin needs no CSP exception: no inline scripts or styles in its pages."""
    client.force_login(superuser)
    urls = [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[focal_point.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_country_changelist"),
        reverse("admin:accounts_invitation_changelist"),
        reverse("admin:auth_user_password_change", args=[focal_point.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert csp_violations(response.content.decode()) == [], url
