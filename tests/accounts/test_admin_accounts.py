"""The accounts admin for reviewers: reading people, never raising privileges."""

from django.urls import reverse


def test_reviewer_cannot_make_anyone_superuser(client, reviewer, focal_point):
    client.force_login(reviewer)
    url = reverse("admin:accounts_user_change", args=[focal_point.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "email": focal_point.email,
            "full_name": "Changed",
            "country": focal_point.country_id,
            "role": "focal_point",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    focal_point.refresh_from_db()
    assert focal_point.full_name == "Changed"
    assert not focal_point.is_staff and not focal_point.is_superuser


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
