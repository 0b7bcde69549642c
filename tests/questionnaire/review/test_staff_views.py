"""Reviewers' staff pages: the response-rate dashboard and full export jobs; who may open them."""

import csv
import io
import re

import pytest
from django.urls import reverse

from accounts.models import Country, User
from questionnaire.exports import jobs as export_jobs
from questionnaire.exports.jobs import export_job_create, export_job_run
from questionnaire.models import Edition, ExportJob, Submission
from tests.conftest import wait_for
from tests.factories import OfficialFactory, submission_full

DASHBOARD = reverse("questionnaire:staff_dashboard")
EXPORTS = reverse("questionnaire:staff_exports")


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def known_set(edition, focal_point):
    """UZB submitted, KAZ accepted, FRA draft, DEU returned; the other 189 not started."""
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["UZB", "KAZ", "FRA", "DEU"])}
    Status = Submission.Status
    for iso3, status in [
        ("UZB", Status.SUBMITTED),
        ("KAZ", Status.ACCEPTED),
        ("FRA", Status.DRAFT),
        ("DEU", Status.RETURNED),
    ]:
        submission_full(edition=edition, country=countries[iso3], status=status)
    OfficialFactory(country=countries["FRA"], email="focal@diplomatie.example.fr")
    OfficialFactory(
        country=countries["FRA"], email="helper@diplomatie.example.fr", role="contributor"
    )
    return countries


def _row(response, label):
    return next(row for row in response.context["rows"] if row.label == label)


def test_dashboard_counts_on_known_set(reviewer_client, known_set):
    response = reviewer_client.get(DASHBOARD)

    assert response.status_code == 200
    # Columns: not started, draft, submitted, returned, accepted.
    world = response.context["rows"][0]
    assert world.cells == [189, 1, 1, 1, 1]
    assert world.total == 193
    assert _row(response, "Asia").cells == [45, 0, 1, 0, 1]
    assert _row(response, "Central Asia").cells == [3, 0, 1, 0, 1]
    assert _row(response, "Western Europe").cells == [7, 1, 0, 1, 0]
    assert _row(response, "Oceania").cells == [14, 0, 0, 0, 0]


def test_dashboard_opens_on_the_current_edition_not_the_newest_loaded(
    reviewer_client, known_set, edition
):
    # A later edition loaded for a demo (or planned) must not take the dashboard over.
    Edition.objects.create(
        code="msq-2099-planned",
        year=2099,
        title="A planned edition",
        consent_text="-",
        source_file="-",
        source_sha256="0" * 64,
    )

    response = reviewer_client.get(DASHBOARD)

    assert response.context["edition"] == edition
    assert response.context["rows"][0].cells == [189, 1, 1, 1, 1]


def test_dashboard_chart_is_svg_without_inline_style(reviewer_client, known_set):
    page = reviewer_client.get(DASHBOARD).content.decode()

    assert "<svg" in page
    assert 'class="chart-submitted"' in page
    assert 'class="chart-accepted"' in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_dashboard_lists_countries_not_submitted_with_emails(reviewer_client, known_set):
    response = reviewer_client.get(DASHBOARD, {"region": "Europe"})

    waiting = {item.country.iso3: item for item in response.context["waiting"]}
    assert "FRA" in waiting and "DEU" in waiting
    assert waiting["FRA"].emails == [
        "focal@diplomatie.example.fr",
        "helper@diplomatie.example.fr",
    ]
    assert waiting["DEU"].status == "returned"
    assert all(item.country.region == "Europe" for item in waiting.values())
    page = response.content.decode()
    assert "mailto:focal@diplomatie.example.fr" in page

    everywhere = reviewer_client.get(DASHBOARD).context["waiting"]
    assert {item.country.iso3 for item in everywhere}.isdisjoint({"UZB", "KAZ"})
    assert len(everywhere) == 191


def test_dashboard_country_that_only_opened_a_step_is_not_started(
    client, reviewer, edition, country_a, focal_point
):
    # The official opens a step: opening a page writes nothing, so no draft row exists yet.
    client.force_login(focal_point)
    assert client.get(reverse("questionnaire:section", args=["social-media"])).status_code == 200
    assert not Submission.objects.filter(country=country_a).exists()

    client.force_login(reviewer)
    response = client.get(DASHBOARD, {"region": "Asia"})
    assert _row(response, "Central Asia").cells == [5, 0, 0, 0, 0]
    waiting = {item.country.iso3: item for item in response.context["waiting"]}
    assert waiting["UZB"].status_label == "Not started"

    # Once something is saved, the country is a draft.
    client.force_login(focal_point)
    saved = client.post(
        reverse("questionnaire:autosave", args=["social-media"]),
        # The version a page shows before the country's first save.
        {"base_version": 1, "values": {"q14": {"details": "Telegram"}}},
        content_type="application/json",
    )
    assert saved.status_code == 200
    client.force_login(reviewer)
    response = client.get(DASHBOARD, {"region": "Asia"})
    assert _row(response, "Central Asia").cells == [4, 1, 0, 0, 0]


def test_dashboard_unknown_edition_is_404(reviewer_client, edition):
    assert reviewer_client.get(DASHBOARD, {"edition": "msq-1999"}).status_code == 404


def test_export_request_unknown_format_shows_error(reviewer_client, edition):
    response = reviewer_client.post(
        EXPORTS, {"edition": edition.pk, "exporter": "pdf_of_everything"}
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_export_job_runs_to_done_and_downloads(
    client, edition, country_a, country_b, celery_worker_process
):
    reviewer = User.objects.create_user(email="r@un.example.org", is_staff=True, password=None)
    reviewer.is_superuser = True
    reviewer.save()
    client.force_login(reviewer)
    submission_full(edition=edition, country=country_a)
    submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT)

    response = client.post(
        EXPORTS,
        {"edition": edition.pk, "exporter": "tidy_csv", "statuses": ["submitted", "accepted"]},
    )

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("questionnaire:staff_export", args=[job.pk])
    wait_for(lambda: ExportJob.objects.get().is_finished, timeout=60)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.progress_done, job.progress_total, job.percent) == (1, 1, 100)
    status = client.get(reverse("questionnaire:staff_export_status", args=[job.pk])).json()
    assert status["finished"] is True
    assert status["download_url"]
    page = client.get(reverse("questionnaire:staff_export", args=[job.pk])).content.decode()
    assert status["download_url"] in page
    download = client.get(status["download_url"])
    rows = list(
        csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    )
    assert {row["country_iso3"] for row in rows} == {"UZB"}


def test_export_job_failure_recorded(edition, reviewer, monkeypatch):
    job = export_job_create(edition=edition, exporter="json", statuses=[], user=reviewer)

    def broken(self, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_jobs.EXPORTERS["json"], "write", broken)
    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "disk full" in job.error
    assert not job.file


def test_export_job_finished_is_not_run_again(edition, reviewer):
    job = ExportJob.objects.create(
        edition=edition, exporter="json", status=ExportJob.Status.FAILED, created_by=reviewer
    )

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.started_at is None


def test_export_download_of_unfinished_job_is_404(reviewer_client, edition, reviewer):
    job = ExportJob.objects.create(edition=edition, exporter="json", created_by=reviewer)

    response = reviewer_client.get(reverse("questionnaire:staff_export_download", args=[job.pk]))

    assert response.status_code == 404


# --- Who may open the staff pages -----------------------------------------------


def _staff_urls(submission, job) -> list[tuple[str, str]]:
    """(method, url) of every staff page and action of the review console."""
    admin = "admin:questionnaire_submission"
    return [
        ("get", DASHBOARD),
        ("get", EXPORTS),
        ("get", reverse("questionnaire:staff_export", args=[job.pk])),
        ("get", reverse("questionnaire:staff_export_status", args=[job.pk])),
        ("get", reverse("questionnaire:staff_export_download", args=[job.pk])),
        ("get", reverse(f"{admin}_changelist")),
        ("get", reverse(f"{admin}_change", args=[submission.pk])),
        ("post", reverse(f"{admin}_comments", args=[submission.pk])),
        ("post", reverse(f"{admin}_accept", args=[submission.pk])),
        ("post", reverse(f"{admin}_reopen", args=[submission.pk])),
        ("post", reverse(f"{admin}_render_pdf", args=[submission.pk])),
        ("get", reverse("admin:questionnaire_exportjob_changelist")),
        ("get", reverse("admin:questionnaire_submissionevent_changelist")),
    ]


@pytest.fixture
def staff_targets(edition, country_a, reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    submission = submission_full(edition=edition, country=country_a)
    job = ExportJob.objects.create(
        edition=edition, exporter="json", status=ExportJob.Status.DONE, created_by=reviewer
    )
    job.file.save("export.json", io.BytesIO(b"{}"))
    return submission, job


def _unchanged(submission) -> None:
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert not submission.events.exists()
    assert not submission.review_comments.exists()


def test_staff_urls_anonymous_sent_to_sign_in(client, staff_targets):
    submission, job = staff_targets
    for method, url in _staff_urls(submission, job):
        response = getattr(client, method)(url, {"version": 1, "reason": "x"})
        assert response.status_code == 302, url
        assert "login" in response["Location"], url
    _unchanged(submission)


@pytest.mark.parametrize("who", ["focal_point", "outsider"])
def test_staff_urls_refused_to_officials(client, staff_targets, request, who):
    client.force_login(request.getfixturevalue(who))
    submission, job = staff_targets
    for method, url in _staff_urls(submission, job):
        response = getattr(client, method)(
            url, {"version": 1, "reason": "x", "action": "return", "comment-general": "x"}
        )
        if url.startswith("/admin/"):
            # The admin sends non-staff to its own sign-in page, which shows nothing.
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
        else:
            assert response.status_code == 403, url
    _unchanged(submission)


def test_staff_urls_refused_to_staff_outside_reviewers_group(client, staff_targets):
    client.force_login(User.objects.create_user(email="it@un.example.org", is_staff=True))
    submission, job = staff_targets
    for method, url in _staff_urls(submission, job):
        response = getattr(client, method)(url, {"version": 1, "reason": "x"})
        assert response.status_code == 403, url
    _unchanged(submission)


def test_staff_urls_open_to_reviewers(reviewer_client, staff_targets):
    submission, job = staff_targets
    for method, url in _staff_urls(submission, job):
        if method == "get":
            response = reviewer_client.get(url)
            assert response.status_code == 200, url
        else:
            # A POST without its fields is refused with a message, or redirects back.
            response = reviewer_client.post(url)
            assert response.status_code in {200, 302, 400}, url


def test_dashboard_chart_one_country_submitted_shows_half_percent(
    reviewer_client, edition, country_a
):
    submission_full(edition=edition, country=country_a)

    page = reviewer_client.get(DASHBOARD).content.decode()

    totals = re.findall(r'class="chart-total">([^<]*)</text>', page)
    # The world first, then the regions: Asia holds Uzbekistan (1 of 47).
    assert totals[0] == "0.5 %"
    assert "2.1 %" in totals
