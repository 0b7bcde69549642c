"""When links are checked, what officials and reviewers see, and what the exports carry."""

import csv
import io

import pytest
from django.urls import reverse

from linkcheck import services
from linkcheck.models import LinkCheck, SubmissionLink
from linkcheck.tasks import task_check_submission_links
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.models import Submission
from tests.conftest import wait_for

State = LinkCheck.State


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


def save_links(submission, user, urls, code="q5i"):
    submission.refresh_from_db()
    rows = [{"name": f"site {n}", "url": url, "note": ""} for n, url in enumerate(urls)]
    return answers_save(
        submission=submission,
        user=user,
        values={code: {"links": rows}},
        base_version=submission.version,
    )


@pytest.fixture
def queued(monkeypatch, settings):
    """Link checks on save turned on; the queued tasks recorded instead of run."""
    settings.LINKCHECK_AUTO = True
    calls = []
    monkeypatch.setattr(
        task_check_submission_links, "apply_async", lambda **kwargs: calls.append(kwargs)
    )
    return calls


def test_save_ten_times_queues_one_check(
    submission, focal_point, queued, django_capture_on_commit_callbacks
):
    for n in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            save_links(submission, focal_point, [f"https://gov{n}.uz"])
    assert queued == [{"kwargs": {"submission_id": submission.pk}, "countdown": 60}]


def test_save_without_link_change_queues_nothing(
    submission, focal_point, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers_save(
            submission=submission,
            user=focal_point,
            values={"q14": {"details": "no links here"}},
            base_version=submission.version,
        )
    assert queued == []


def test_save_succeeds_when_queueing_the_check_fails(
    signed_in_focal_point, submission, settings, monkeypatch
):
    settings.LINKCHECK_AUTO = True

    def broker_down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task_check_submission_links, "apply_async", broker_down)
    response = signed_in_focal_point.post(
        "/section/institutional-framework/autosave",
        {"base_version": submission.version, "values": {"q5i": {"links": [{"url": "gov.uz"}]}}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert submission.answers.get(question__code="q5i").value["links"][0]["url"] == "gov.uz"


@pytest.fixture
def signed_in_focal_point(client, focal_point):
    client.force_login(focal_point)
    return client


@pytest.mark.django_db(transaction=True)
def test_saved_link_is_checked_by_the_worker(
    celery_worker_process, countries, edition, country_a, focal_point, server, settings
):
    # Embedded default: the task runs in-process on commit; otherwise a real worker does,
    # allowed to reach 127.0.0.1 by the suite's worker environment (tests/conftest.py).
    settings.LINKCHECK_AUTO = True
    settings.LINKCHECK_DEBOUNCE_SECONDS = 1
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    settings.LINKCHECK_HOST_INTERVAL_SECONDS = 0
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    save_links(submission, focal_point, [server.url("/ok"), server.url("/missing")])

    def checked():
        states = dict(
            SubmissionLink.objects.filter(submission=submission).values_list(
                "url", "link_check__state"
            )
        )
        return states if State.PENDING not in states.values() and len(states) == 2 else None

    assert wait_for(checked, timeout=60) == {
        server.url("/ok"): State.REACHABLE,
        server.url("/missing"): State.NOT_FOUND,
    }


def test_check_results_are_cached_unless_forced(allow_local, submission, focal_point, server):
    save_links(submission, focal_point, [server.url("/ok")])
    assert services.submission_links_check(submission_id=submission.pk) == 1
    assert services.submission_links_check(submission_id=submission.pk) == 0
    assert len(server.requests) == 1
    assert services.submission_links_check(submission_id=submission.pk, force=True) == 1
    assert len(server.requests) == 2


def test_sync_follows_the_answers_and_keeps_confirmations(
    allow_local, submission, focal_point, server
):
    save_links(submission, focal_point, [server.url("/missing"), server.url("/ok")])
    services.submission_links_check(submission_id=submission.pk)
    broken = SubmissionLink.objects.get(submission=submission, url=server.url("/missing"))
    services.links_confirm(submission=submission, user=focal_point, link_ids=[broken.pk])
    save_links(submission, focal_point, [server.url("/missing")])
    services.submission_links_check(submission_id=submission.pk)
    rows = list(SubmissionLink.objects.filter(submission=submission))
    assert [(row.url, row.confirmed_by) for row in rows] == [(server.url("/missing"), focal_point)]


def test_bad_urls_are_recorded_not_checked_and_never_fetched(allow_local, submission, focal_point):
    # (A URL over 2,000 characters is refused at save; tests/linkcheck/test_checker.py.)
    save_links(submission, focal_point, ["javascript:alert(1)", "not a link"])
    assert services.submission_links_check(submission_id=submission.pk) == 0
    checks = LinkCheck.objects.filter(uses__submission=submission)
    assert sorted(checks.values_list("state", "error")) == [
        (State.NOT_CHECKED, "not a web address"),
        (State.NOT_CHECKED, "only http and https addresses are checked"),
    ]


def test_review_page_shows_status_summary_and_confirms(
    allow_local, signed_in_focal_point, submission, focal_point, server
):
    save_links(submission, focal_point, [server.url("/ok"), server.url("/missing")])
    services.submission_links_check(submission_id=submission.pk)
    page = signed_in_focal_point.get("/review/").content.decode()
    assert "2 links were checked or are waiting to be checked" in page
    assert "1 reachable" in page and "1 not found" in page
    assert "the page was not found (HTTP 404)" in page
    broken = SubmissionLink.objects.get(url=server.url("/missing"))
    assert f'id="confirm-link-{broken.pk}"' in page

    response = signed_in_focal_point.post(reverse("linkcheck:confirm"), {"link": [broken.pk]})
    assert response.status_code == 302
    broken.refresh_from_db()
    assert broken.confirmed_by == focal_point
    assert "confirmed correct" in signed_in_focal_point.get("/review/").content.decode()


def test_section_page_shows_status_next_to_the_link(
    allow_local, signed_in_focal_point, submission, focal_point, server
):
    save_links(submission, focal_point, [server.url("/hop/1")])
    services.submission_links_check(submission_id=submission.pk)
    page = signed_in_focal_point.get("/section/institutional-framework/").content.decode()
    assert f"redirects to {server.url('/ok')}" in page


def test_confirm_ignores_another_countrys_links(
    allow_local, client, outsider, submission, focal_point, server, edition
):
    save_links(submission, focal_point, [server.url("/missing")])
    services.submission_links_check(submission_id=submission.pk)
    link = SubmissionLink.objects.get(submission=submission)
    submission_get_or_create(edition=edition, country=outsider.country, user=outsider)
    client.force_login(outsider)
    client.post(reverse("linkcheck:confirm"), {"link": [link.pk]})
    link.refresh_from_db()
    assert link.confirmed_at is None


def test_confirm_needs_post(signed_in_focal_point, submission):
    assert signed_in_focal_point.get(reverse("linkcheck:confirm")).status_code == 405


def test_reviewer_checks_now_and_filters_broken(
    allow_local,
    client,
    reviewer,
    submission,
    focal_point,
    server,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    save_links(submission, focal_point, [server.url("/missing")])
    # The button's task, run in this process whatever the broker.
    monkeypatch.setattr(
        task_check_submission_links,
        "delay",
        lambda **kwargs: task_check_submission_links.apply(kwargs=kwargs),
    )
    client.force_login(reviewer)
    url = reverse("linkcheck:check_now", args=[submission.pk])
    page = client.get(reverse("admin:questionnaire_submission_change", args=[submission.pk]))
    assert f'action="{url}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert LinkCheck.objects.get(uses__submission=submission).state == State.NOT_FOUND
    changelist = reverse("admin:questionnaire_submission_changelist")
    broken = client.get(changelist, {"broken_links": "yes"}).content.decode()
    healthy = client.get(changelist, {"broken_links": "no"}).content.decode()
    assert submission.country.name in broken
    assert submission.country.name not in healthy


def test_check_now_is_for_reviewers_only(client, focal_point, submission):
    client.force_login(focal_point)
    response = client.post(reverse("linkcheck:check_now", args=[submission.pk]))
    assert response.status_code == 403


def test_tidy_csv_carries_each_links_last_check(
    allow_local, edition, submission, focal_point, server
):
    save_links(submission, focal_point, [server.url("/ok")])
    services.submission_links_check(submission_id=submission.pk)
    out = io.BytesIO()
    TidyCsvExporter(edition=edition).write(
        submissions=Submission.objects.filter(pk=submission.pk), out=out
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    link_rows = [(r["item"], r["field"], r["value"]) for r in rows if r["question_code"] == "q5i"]
    assert link_rows == [
        ("1", "name", "site 0"),
        ("1", "url", server.url("/ok")),
        ("1", "link_status", "reachable"),
    ]


def test_nightly_run_queues_open_editions_only(submission, monkeypatch, edition):
    calls = []
    monkeypatch.setattr(task_check_submission_links, "delay", lambda **kw: calls.append(kw))
    assert services.open_editions_links_queue() == 1
    edition.state = edition.State.CLOSED
    edition.save(update_fields=["state"])
    assert services.open_editions_links_queue() == 0
    assert calls == [{"submission_id": submission.pk}]
