"""The reviewers' submissions list: every Member State of the edition, not-started included,
its filters, its sorting, its dates in the reviewer's zone, and who may open it."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Country
from questionnaire.models import ReviewComment, Submission
from tests.factories import answers_full, submission_full

LIST = reverse("questionnaire:staff_submissions")
Status = Submission.Status


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def known_set(edition, reviewer):
    """UZB submitted (two open comment threads, one resolved), KAZ accepted, FRA a
    half-answered draft, DEU returned;
    the other 189 have not started."""
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["UZB", "KAZ", "FRA", "DEU"])}
    values = answers_full(edition, links_per_question=1)
    half = dict(list(values.items())[: len(values) // 2])
    made = {}
    for iso3, status, answers in [
        ("UZB", Status.SUBMITTED, values),
        ("KAZ", Status.ACCEPTED, values),
        ("FRA", Status.DRAFT, half),
        ("DEU", Status.RETURNED, values),
    ]:
        made[iso3] = submission_full(
            edition=edition, country=countries[iso3], status=status, values=answers
        )
    Submission.objects.filter(pk=made["UZB"].pk).update(
        submitted_at=datetime(2026, 11, 30, 18, 40, tzinfo=UTC),
        updated_at=datetime(2026, 11, 30, 18, 40, tzinfo=UTC),
    )
    Submission.objects.filter(pk=made["KAZ"].pk).update(
        submitted_at=datetime(2026, 10, 2, 9, 0, tzinfo=UTC),
        updated_at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
    )
    Submission.objects.filter(pk=made["DEU"].pk).update(
        submitted_at=datetime(2026, 9, 15, 12, 0, tzinfo=UTC),
        updated_at=datetime(2026, 9, 16, 12, 0, tzinfo=UTC),
    )
    threads = [
        ReviewComment.objects.create(submission=made["UZB"], author=reviewer, text=text, version=1)
        for text in ["Please give the URL.", "Which ministry?", "Is the date right?"]
    ]
    # A reply does not open another thread; a resolved thread is no longer open.
    ReviewComment.objects.create(
        submission=made["UZB"], parent=threads[0], author=reviewer, text="Any news?", version=1
    )
    ReviewComment.objects.filter(pk=threads[2].pk).update(
        resolved_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), resolved_by=reviewer
    )
    return made


def _iso3s(response) -> list[str]:
    return [row.country.iso3 for row in response.context["listing"].rows]


def _row(response, iso3):
    return next(row for row in response.context["listing"].rows if row.country.iso3 == iso3)


def test_member_states_list_has_every_member_state_with_not_started(reviewer_client, known_set):
    response = reviewer_client.get(LIST)

    assert response.status_code == 200
    listing = response.context["listing"]
    assert len(listing.rows) == 193
    assert listing.total == 193
    page = response.content.decode()
    assert page.count('<tr id="country-') == 193
    afghanistan = _row(response, "AFG")
    assert afghanistan.status == "not_started"
    assert afghanistan.progress_percent is None
    assert "Not started" in page
    counts = {key: count for key, _label, count in listing.status_counts}
    assert counts == {
        "not_started": 189,
        "draft": 1,
        "submitted": 1,
        "returned": 1,
        "accepted": 1,
    }


def test_member_states_list_shows_progress_comments_and_review_links(reviewer_client, known_set):
    response = reviewer_client.get(LIST)

    page = response.content.decode()
    assert _row(response, "UZB").progress_percent == 100
    assert 0 < _row(response, "FRA").progress_percent < 100
    assert _row(response, "UZB").open_comments == 2
    review = reverse("admin:questionnaire_submission_change", args=[known_set["UZB"].pk])
    assert f'<a href="{review}">Uzbekistan</a>' in page
    # A country that has not started has no review page to link to.
    assert "<a href" not in page.split('id="country-AFG"')[1].split("</tr>")[0]


def test_member_states_list_dates_are_iso_in_the_reviewers_zone(
    reviewer_client, reviewer, known_set
):
    reviewer.time_zone = "Europe/Paris"
    reviewer.save()

    page = reviewer_client.get(LIST).content.decode()

    uzbekistan = page.split('id="country-UZB"')[1].split("</tr>")[0]
    assert '<span class="list-day">2026-11-30</span> <span class="list-time">19:40 CET</span>' in (
        uzbekistan
    )
    assert 'datetime="2026-11-30T19:40:00+01:00"' in uzbekistan
    assert "Dates and times in Europe/Paris." in page


def test_member_states_list_dates_in_utc_by_default(reviewer_client, known_set):
    page = reviewer_client.get(LIST).content.decode()

    assert '<span class="list-time">18:40 UTC</span>' in page


def test_member_states_list_filters_by_status_including_not_started(reviewer_client, known_set):
    submitted = reviewer_client.get(LIST, {"status": "submitted"})
    not_started = reviewer_client.get(LIST, {"status": "not_started"})

    assert _iso3s(submitted) == ["UZB"]
    assert len(_iso3s(not_started)) == 189
    assert "UZB" not in _iso3s(not_started)


def test_member_states_list_filters_by_region_and_search(reviewer_client, known_set):
    europe = reviewer_client.get(LIST, {"region": "Europe", "status": "draft"})
    by_iso = reviewer_client.get(LIST, {"q": "kaz"})
    by_name = reviewer_client.get(LIST, {"q": "uzbek"})

    assert _iso3s(europe) == ["FRA"]
    assert _iso3s(by_iso) == ["KAZ"]
    assert _iso3s(by_name) == ["UZB"]


def test_member_states_list_filters_by_date_between(reviewer_client, known_set):
    november = reviewer_client.get(
        LIST, {"date_field": "submitted", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    changed_october = reviewer_client.get(
        LIST, {"date_field": "changed", "date_from": "2026-10-05", "date_to": "2026-10-05"}
    )

    assert _iso3s(november) == ["UZB"]
    assert _iso3s(changed_october) == ["KAZ"]


def test_member_states_list_date_filter_reads_days_in_the_reviewers_zone(
    reviewer_client, reviewer, known_set
):
    # 18:40 UTC on 30 November is already 1 December in Tokyo.
    reviewer.time_zone = "Asia/Tokyo"
    reviewer.save()

    response = reviewer_client.get(LIST, {"date_from": "2026-12-01", "date_to": "2026-12-01"})

    assert _iso3s(response) == ["UZB"]


def test_member_states_list_bad_dates_said_on_the_page(reviewer_client, known_set):
    response = reviewer_client.get(
        LIST, {"date_from": "2026-13-45", "status": "submitted", "region": "Atlantis"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Enter a valid date." in page
    assert "Select a valid choice." in page
    # The readable filters still apply; the bad ones filter nothing.
    assert _iso3s(response) == ["UZB"]


def test_member_states_list_end_before_start_said(reviewer_client, known_set):
    response = reviewer_client.get(LIST, {"date_from": "2026-12-01", "date_to": "2026-11-01"})

    assert "The end date is before the start date." in response.content.decode()


def test_member_states_list_sorts_by_progress_and_dates(reviewer_client, known_set):
    by_progress = _iso3s(reviewer_client.get(LIST, {"sort": "-progress"}))
    by_submitted = _iso3s(reviewer_client.get(LIST, {"sort": "submitted"}))
    unknown = reviewer_client.get(LIST, {"sort": "password"})

    assert by_progress[:3] == ["DEU", "KAZ", "UZB"]  # 100 %, then by name
    assert by_progress[3] == "FRA"
    assert by_submitted[:3] == ["DEU", "KAZ", "UZB"]
    # Countries without a date come last, in alphabetical order.
    assert by_submitted[-1] == "ZWE"
    assert _iso3s(unknown)[0] == "AFG"


def test_member_states_list_sort_links_toggle_and_say_the_order(reviewer_client, known_set):
    page = reviewer_client.get(LIST, {"sort": "progress", "status": "draft"}).content.decode()

    assert 'aria-sort="ascending"' in page
    assert "?sort=-progress&amp;status=draft" in page or "status=draft&amp;sort=-progress" in page


def test_member_states_list_other_edition_404_when_unknown(reviewer_client, known_set):
    assert reviewer_client.get(LIST, {"edition": "msq-1999"}).status_code == 404


def _list_queries(client) -> int:
    # Cold: no progress remembered from an earlier request (questionnaire.progress).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["listing"].rows) == 193
    return len(queries)


def test_member_states_list_query_count_same_for_3_and_193_submissions(reviewer_client, edition):
    countries = list(Country.objects.order_by("iso3"))
    values = answers_full(edition, links_per_question=1)
    statuses = list(Status)
    for index, country in enumerate(countries[:3]):
        submission_full(edition=edition, country=country, values=values, status=statuses[index])
    reviewer_client.get(LIST)  # the session's first request loads more than later ones
    three = _list_queries(reviewer_client)

    for index, country in enumerate(countries[3:]):
        submission = submission_full(
            edition=edition, country=country, values=values, status=statuses[index % 4]
        )
        ReviewComment.objects.create(submission=submission, text="Why?", version=1)
    all_193 = _list_queries(reviewer_client)

    assert all_193 == three


def test_member_states_list_remembered_progress_follows_a_new_version(
    reviewer_client, known_set, edition
):
    draft = known_set["FRA"]
    before = _row(reviewer_client.get(LIST), "FRA").progress_percent
    with CaptureQueriesContext(connection) as warm:
        reviewer_client.get(LIST)
    values = answers_full(edition, links_per_question=1)
    for answer in draft.answers.select_related("question"):
        answer.value = values[answer.question.code]
        answer.save()
    missing = [q for q in edition.questions.all() if not draft.answers.filter(question=q).exists()]
    for question in missing:
        draft.answers.create(question=question, value=values[question.code])
    # Every write bumps the version (questionnaire.locking): the remembered figure is stale.
    Submission.objects.filter(pk=draft.pk).update(version=draft.version + 1)

    after = _row(reviewer_client.get(LIST), "FRA").progress_percent

    assert before < 100
    assert after == 100
    # Remembered figures spare the answers' query.
    assert not any("questionnaire_answer" in query["sql"] for query in warm.captured_queries)


def test_member_states_list_without_a_cache_still_shows_progress(
    reviewer_client, known_set, monkeypatch, caplog
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)

    response = reviewer_client.get(LIST)

    assert response.status_code == 200
    assert _row(response, "UZB").progress_percent == 100
    assert "progress cache unavailable" in caplog.text


def test_member_states_list_refused_to_officials(client, focal_point, known_set):
    client.force_login(focal_point)

    response = client.get(LIST)

    assert response.status_code == 403
    assert "Kazakhstan" not in response.content.decode()


def test_member_states_list_sends_the_signed_out_to_sign_in(client, known_set):
    response = client.get(LIST)

    assert response.status_code in {302, 403}
    assert "listing" not in (response.context or {})


def test_member_states_list_refused_to_staff_outside_the_reviewers_group(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    assert client.get(LIST).status_code == 403


def test_admin_home_and_dashboard_link_the_member_states_list(reviewer_client, edition):
    home = reviewer_client.get(reverse("admin:index")).content.decode()
    dashboard = reviewer_client.get(reverse("questionnaire:staff_dashboard")).content.decode()

    assert LIST in home
    assert LIST in dashboard
