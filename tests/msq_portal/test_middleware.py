"""Cache-Control: signed-in pages and downloads are never stored; static files stay cacheable.

Every page of the access matrix is checked for signed-in people in
tests/test_access_matrix.py; these cover the edges."""

from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from msq_portal.middleware import NoStoreForSignedInMiddleware


def test_no_store_on_a_signed_in_page(client, focal_point):
    client.force_login(focal_point)
    response = client.get(reverse("accounts:team"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_no_store_on_the_page_after_signing_out(client, focal_point):
    client.force_login(focal_point)
    response = client.post(reverse("logout"))
    assert "no-store" in response["Cache-Control"]


def test_no_store_on_a_download_even_without_a_user(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("a,b\n")
    request = RequestFactory().get("/download")
    middleware = NoStoreForSignedInMiddleware(
        lambda request: FileResponse(path.open("rb"), as_attachment=True, filename="export.csv")
    )
    response = middleware(request)
    assert "no-store" in response["Cache-Control"]
    plain = NoStoreForSignedInMiddleware(lambda request: HttpResponse("ok"))(request)
    assert not plain.has_header("Cache-Control")


def test_static_files_stay_cacheable_for_signed_in_people(client, focal_point, settings):
    # WhiteNoise serves from the finders here, as it serves STATIC_ROOT in production.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(focal_point)
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
