from questionnaire.models import Submission


def test_overview_shows_own_country_sections_and_status(client, focal_point, edition):
    client.force_login(focal_point)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Uzbekistan" in page
    assert "France" not in page
    for section in edition.sections.all():
        assert section.title in page
    assert "Not started" in page


def test_overview_never_shows_another_countrys_submission(client, outsider, edition, country_a):
    Submission.objects.create(
        edition=edition, country=country_a, status=Submission.Status.SUBMITTED
    )
    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert "France" in page
    assert "Uzbekistan" not in page
    assert "Submitted" not in page
