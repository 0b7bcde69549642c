import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.parametrize("url", ["/", "/admin/"])
def test_pages_require_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_sign_in_and_reset_pages_are_open(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_sign_in_with_email_in_any_case_lands_on_overview(client, focal_point, edition):
    response = client.post(
        reverse("login"),
        {"username": focal_point.email.upper(), "password": TEST_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["user"] == focal_point
    assert "Uzbekistan" in response.content.decode()


def test_sign_in_with_wrong_password_shows_error(client, focal_point):
    response = client.post(reverse("login"), {"username": focal_point.email, "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert 'role="alert"' in response.content.decode()


def test_staff_land_in_the_admin(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_account_without_country_sees_explanation(client, db):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "not linked to a country" in response.content.decode()


def test_user_email_is_stored_lower_case(db):
    created = User.objects.create_user(email="Focal.Point@Gov.EXAMPLE.org", password="x" * 12)
    assert created.email == "focal.point@gov.example.org"
