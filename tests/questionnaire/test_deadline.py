"""The deadline: shown with the days left in the official's zone; late, submitting still works
until DPIDG closes the edition."""

import datetime
import html
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from questionnaire.deadline import deadline_status
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.texts import EditionFileError
from questionnaire.filling.services import submission_get_or_create
from questionnaire.models import Edition, Submission
from tests.questionnaire.filling.test_services import COMPLETE, save

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
# 31 March 2027, 23:59 in Paris (summer time: UTC+2).
DEADLINE = datetime.datetime(2027, 3, 31, 21, 59, tzinfo=datetime.UTC)


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


@pytest.fixture
def in_paris(client, focal_point):
    focal_point.time_zone = "Europe/Paris"
    focal_point.save(update_fields=["time_zone"])
    client.force_login(focal_point)
    return client


def _deadline_in(edition, delta: datetime.timedelta) -> Edition:
    Edition.objects.filter(pk=edition.pk).update(deadline=timezone.now() + delta)
    edition.refresh_from_db()
    return edition


def test_deadline_days_left_are_counted_in_the_officials_zone(edition):
    edition.deadline = DEADLINE
    with timezone.override("Europe/Paris"):
        status = deadline_status(edition=edition, now=NOW)
        assert (status.days_left, status.is_late, status.zone) == (120, False, "Europe/Paris")
        assert timezone.localtime(status.deadline).strftime("%d %B %Y, %H:%M") == (
            "31 March 2027, 23:59"
        )
    # In Tokyo it is already 1 April when Paris reaches 23:59: one day more to count.
    with timezone.override("Asia/Tokyo"):
        assert deadline_status(edition=edition, now=NOW).days_left == 121


def test_deadline_passed_is_late(edition):
    edition.deadline = DEADLINE
    status = deadline_status(edition=edition, now=DEADLINE + datetime.timedelta(seconds=1))
    assert status.is_late


@pytest.mark.parametrize("url", ["/", "/section/social-media/", "/review/"])
def test_deadline_shows_with_days_left_in_the_officials_zone(in_paris, edition, submission, url):
    _deadline_in(edition, datetime.timedelta(days=120, hours=1))
    text = page(in_paris.get(url))
    with timezone.override("Europe/Paris"):
        when = date_format(timezone.localtime(edition.deadline), "DATETIME_FORMAT")
        days = deadline_status(edition=edition).days_left
    assert days in {120, 121}
    assert f"Deadline: {when} (Europe/Paris) — {days} days left" in text


def test_deadline_not_set_shows_nothing(in_paris, edition, submission):
    assert 'id="deadline"' not in page(in_paris.get("/"))


def test_deadline_passed_says_late_and_submitting_still_works(
    in_paris, edition, submission, focal_point, monkeypatch
):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    _deadline_in(edition, -datetime.timedelta(days=2))
    save(submission, focal_point, COMPLETE)
    text = page(in_paris.get("/review/"))
    assert "The deadline passed on " in text
    assert "(Europe/Paris); you can still submit." in text
    assert 'action="/review/submit"' in text
    assert "(Europe/Paris); you can still submit." in page(in_paris.get("/"))
    submission.refresh_from_db()
    response = in_paris.post(
        "/review/submit", {"consent": "granted", "base_version": submission.version}
    )
    assert response["Location"] == "/submission/"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_closed_edition_refuses_the_submit(in_paris, edition, submission, focal_point):
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    Edition.objects.filter(pk=edition.pk).update(
        state=Edition.State.CLOSED, deadline=timezone.now() - datetime.timedelta(days=2)
    )
    response = in_paris.post(
        "/review/submit", {"consent": "granted", "base_version": submission.version}
    )
    # No edition is open: the page says so, and nothing is submitted.
    assert response.status_code == 409
    assert "The questionnaire is not open for answers just now" in page(response)
    submission.refresh_from_db()
    assert (submission.status, submission.consent) == (Submission.Status.DRAFT, "")
    # Closed: no "you can still submit" anywhere.
    assert "you can still submit" not in page(in_paris.get("/"))


def test_deadline_in_the_edition_file_is_loaded(tmp_path, countries):
    text = edition_path("msq-2020").read_text(encoding="utf-8")
    path = Path(tmp_path) / "msq-2020.yaml"
    path.write_text(
        text + "\nopens_on: 2026-12-01T00:00:00Z\ndeadline: 2027-03-31T23:59:00+02:00\n",
        encoding="utf-8",
    )
    edition = edition_load(path=path).edition
    edition.refresh_from_db()
    assert edition.deadline == DEADLINE
    assert edition.opens_on == datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    # A file without the keys leaves the dates set in the review console as they are.
    edition = edition_load(path=edition_path("msq-2020")).edition
    edition.refresh_from_db()
    assert edition.deadline == DEADLINE


def test_deadline_in_the_edition_file_must_be_a_date_and_time(tmp_path, countries):
    text = edition_path("msq-2020").read_text(encoding="utf-8")
    path = Path(tmp_path) / "msq-2020.yaml"
    path.write_text(text + "\ndeadline: end of March\n", encoding="utf-8")
    with pytest.raises(EditionFileError, match="deadline must be a date and time"):
        edition_load(path=path)


def test_reviewer_sets_the_deadline_in_the_admin(client, reviewer, edition):
    client.force_login(reviewer)
    url = f"/admin/questionnaire/edition/{edition.pk}/change/"
    page_text = page(client.get(url))
    assert 'name="deadline_0"' in page_text and 'name="opens_on_0"' in page_text
    assert 'name="title"' not in page_text  # the content stays the file's
    response = client.post(
        url,
        {
            "opens_on_0": "2026-12-01",
            "opens_on_1": "00:00:00",
            "deadline_0": "2027-03-31",
            "deadline_1": "21:59:00",
        },
    )
    assert response.status_code == 302
    edition.refresh_from_db()
    # Reviewers' pages are in UTC.
    assert edition.deadline == DEADLINE
    assert edition.state == Edition.State.OPEN  # the form does not change the state
    listed = page(client.get("/admin/questionnaire/edition/"))
    assert "31 March 2027, 21:59 UTC" in listed
