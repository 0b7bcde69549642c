"""A submission's history in words: the admin's history view of a submission."""

import html
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.filling.submitting import consent_set
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.review.history import HistoryFilters, submission_history
from questionnaire.review.services import submission_return
from tests.factories import OfficialFactory, ReviewerFactory, UserFactory, submission_full

PORTAL = {"name": "National portal", "url": "https://my.gov.uz", "note": ""}


def _url(submission, **query):
    url = reverse("admin:questionnaire_submission_history", args=[submission.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _save(submission, user, values):
    submission.refresh_from_db()
    return answers_save(
        submission=submission, user=user, values=values, base_version=submission.version
    )


@pytest.fixture
def draft(edition, country_a, focal_point):
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    _save(submission, focal_point, {"q1": {"links": [PORTAL]}})
    return submission


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _page(response) -> str:
    """The page's text as a reader sees it: tags out, spaces collapsed."""
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def test_history_link_change_reads_in_words(reviewer_client, draft, focal_point):
    _save(draft, focal_point, {"q1": {"links": [{**PORTAL, "url": "https://egov.uz"}]}})

    response = reviewer_client.get(_url(draft))

    assert response.status_code == 200
    page = _page(response)
    assert (
        "Changed the URL of link “National portal” from https://my.gov.uz to https://egov.uz"
        in page
    )
    assert "Added link https://my.gov.uz — National portal" in page
    # Newest first: the change, then the link's first save, then the draft's start.
    assert page.index("Changed the URL") < page.index("Added link") < page.index("Draft started")
    before = '<del class="history-before" dir="auto">https://my.gov.uz</del>'
    assert before in response.content.decode()


def test_history_other_events_in_words(reviewer_client, edition, country_b, focal_point, reviewer):
    submitted = submission_full(edition=edition, country=country_b)
    submission_return(
        submission=submitted, reviewer=reviewer, comments={"q1": "Add the data portal."}
    )

    page = _page(reviewer_client.get(_url(submitted)))

    assert "Changed the status from Submitted to Returned for revision" in page
    assert "Added a comment Add the data portal." in page


def test_history_consent_and_focal_point_in_words(reviewer_client, draft, focal_point):
    consent_set(submission=draft, user=focal_point, consent=Submission.Consent.GRANTED)
    SubmissionEvent.objects.create(
        submission=draft,
        kind=SubmissionEvent.Kind.FOCAL_POINT_CHANGED,
        version=draft.version,
        before={"focal_points": ["old@gov.uz"]},
        after={"focal_points": ["new@gov.uz"]},
        message="Focal point of Uzbekistan: new@gov.uz (was old@gov.uz)",
    )

    page = _page(reviewer_client.get(_url(draft)))

    assert "Changed the publication consent from Not yet chosen to Authorized to publish" in page
    assert "Removed focal point old@gov.uz" in page and "Added focal point new@gov.uz" in page
    # Events no person made are under the portal's name.
    assert "the portal" in page


def test_history_a_shape_the_kind_never_stored_is_shown_as_text(reviewer_client, draft):
    q1 = draft.edition.questions.get(code="q1")
    SubmissionEvent.objects.create(
        submission=draft,
        kind=SubmissionEvent.Kind.ANSWERS_SAVED,
        question=q1,
        version=draft.version,
        before={"links": "portal dot gov"},
        after={"links": [PORTAL]},
    )

    response = reviewer_client.get(_url(draft))

    assert response.status_code == 200
    assert "Changed the answer from portal dot gov to [{" in _page(response)


def test_history_escapes_a_malicious_answer(reviewer_client, draft, focal_point):
    malicious = {
        "name": '=HYPERLINK("http://evil.example","x")',
        "url": "https://x.uz/<script>alert(1)</script>",
        "note": "",
    }
    _save(draft, focal_point, {"q1": {"links": [PORTAL, malicious]}, "q6": {"details": "<b>x"}})

    content = reviewer_client.get(_url(draft)).content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;b&gt;x" in content and "<b>x" not in content
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in content


def test_history_filtered_by_section(reviewer_client, draft, focal_point):
    _save(draft, focal_point, {"q15": {"answer": {"selected": ["ai"]}}})

    page = _page(reviewer_client.get(_url(draft, section="new-technologies")))

    assert "Ticked Artificial Intelligence (AI)" in page
    assert "Added link" not in page
    page = _page(reviewer_client.get(_url(draft, section="institutional-framework")))
    assert "Added link" in page and "Ticked" not in page


def test_history_filtered_by_section_keeps_whole_submission_events_marked(
    reviewer_client, draft, focal_point, reviewer
):
    consent_set(submission=draft, user=focal_point, consent=Submission.Consent.GRANTED)
    _save(draft, focal_point, {"q15": {"answer": {"selected": ["ai"]}}})

    response = reviewer_client.get(_url(draft, section="new-technologies"))

    page = _page(response)
    assert "Filtered by section, the history still shows the whole submission" in page
    # The section's change, then the consent and the draft's start, in their place in time.
    assert (
        page.index("Ticked Artificial Intelligence (AI)")
        < page.index("Publication consent changed — whole submission")
        < page.index("Draft started — whole submission")
    )
    assert "3 events." in page
    # Another section's answers stay out.
    assert "Added link" not in page


def test_history_filtered_by_section_and_person_keeps_only_their_whole_submission_events(
    draft, focal_point, contributor
):
    consent_set(submission=draft, user=focal_point, consent=Submission.Consent.GRANTED)
    _save(draft, contributor, {"q15": {"answer": {"selected": ["ai"]}}})

    history = submission_history(
        submission=draft,
        zone=UTC,
        filters=HistoryFilters(section="new-technologies", person=str(contributor.pk)),
    )

    assert [entry.title for entry in history.entries] == ["Answers saved"]
    assert not history.entries[0].whole_submission


def test_history_answer_of_a_question_gone_is_not_a_whole_submission_event(draft):
    SubmissionEvent.objects.create(
        submission=draft,
        kind=SubmissionEvent.Kind.ANSWERS_SAVED,
        question=None,
        version=draft.version,
        before={},
        after={"links": [PORTAL]},
    )

    everything = submission_history(submission=draft, zone=UTC)
    in_a_section = submission_history(
        submission=draft, zone=UTC, filters=HistoryFilters(section="new-technologies")
    )

    assert not everything.entries[0].whole_submission
    assert [entry.title for entry in in_a_section.entries] == ["Draft started"]


def test_history_unfiltered_says_nothing_of_whole_submission_events_kept(reviewer_client, draft):
    page = _page(reviewer_client.get(_url(draft)))

    assert "Draft started — whole submission" in page
    assert "Filtered by section" not in page


def test_history_filtered_by_person(reviewer_client, draft, focal_point, contributor):
    _save(draft, contributor, {"q6": {"answer": "yes"}})

    page = _page(reviewer_client.get(_url(draft, person=contributor.pk)))

    assert "Added the answer Yes" in page
    assert "Added link" not in page
    # The form lists both people, labelled.
    assert (
        '<label for="id_person">Person:</label>'
        in reviewer_client.get(_url(draft)).content.decode()
    )
    page = _page(reviewer_client.get(_url(draft, person=focal_point.pk)))
    assert "Added link" in page and "Added the answer Yes" not in page


def test_history_unknown_filter_is_said_and_everything_shown(reviewer_client, draft):
    response = reviewer_client.get(_url(draft, section="nope", person="12345"))

    assert response.status_code == 200
    page = _page(response)
    assert "That filter is not one of the choices" in page
    assert "Added link" in page


def test_history_dates_iso_in_the_reviewers_time_zone(client, draft):
    reader = ReviewerFactory(time_zone="Asia/Tashkent")
    SubmissionEvent.objects.filter(submission=draft).update(
        created_at=datetime(2026, 11, 30, 19, 40, tzinfo=UTC)
    )
    client.force_login(reader)

    page = _page(client.get(_url(draft)))

    assert "2026-12-01 00:40 UTC+05" in page
    assert "times in Asia/Tashkent" in page


def test_history_paginated_newest_first(reviewer_client, draft):
    events = [
        SubmissionEvent(
            submission=draft, kind=SubmissionEvent.Kind.PDF_FAILED, version=1, message=f"m{n}"
        )
        for n in range(60)
    ]
    SubmissionEvent.objects.bulk_create(events)

    history = submission_history(submission=draft, zone=UTC, filters=HistoryFilters())
    assert len(history.entries) == 50 and history.total == 62
    page = _page(reviewer_client.get(_url(draft, page=2)))
    assert "Page 2 of 2" in page and "Draft started" in page


def test_history_refused_to_officials_and_non_reviewer_staff(client, draft, focal_point):
    client.force_login(focal_point)
    response = client.get(_url(draft))
    # The admin sends anyone who is not staff to its sign-in page: nothing of the history.
    assert response.status_code == 302
    assert "/login/" in response.url

    client.force_login(UserFactory(is_staff=True))
    assert client.get(_url(draft)).status_code == 403


def test_history_other_editions_submission_is_404(reviewer_client):
    assert reviewer_client.get(_url(Submission(pk=999999))).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow_with_events(reviewer_client, draft, focal_point):
    reviewer_client.get(_url(draft))  # the edition's structure is cached after this
    few = _queries(reviewer_client, _url(draft))
    for n in range(5):
        _save(draft, contributor_of(draft), {"q6": {"details": f"text {n}"}})

    assert _queries(reviewer_client, _url(draft)) == few


def contributor_of(submission):
    return OfficialFactory(country=submission.country, role="contributor")


def test_history_in_the_active_language_names_options_by_their_labels(draft, focal_point):
    _save(draft, focal_point, {"q15": {"answer": {"selected": ["ai"]}}})

    with translation.override("fr"):
        [newest, *_] = submission_history(submission=draft, zone=UTC).entries
        shown = html.unescape(strip_tags(newest.parts[0].changes[0].as_html()))

    assert shown == "Coché : Intelligence artificielle (IA)"
