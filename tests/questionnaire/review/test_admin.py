"""The review console in the admin: the submissions list, a submission's page and its actions."""

import csv
import io
import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Country
from questionnaire.models import PendingTask, ReviewComment, Submission, SubmissionEvent
from questionnaire.review.services import submission_return
from tests.factories import answers_full, submission_full

LIST_URL = reverse("admin:questionnaire_submission_changelist")


def _change_url(submission):
    return reverse("admin:questionnaire_submission_change", args=[submission.pk])


def _action_url(name, submission):
    return reverse(f"admin:questionnaire_submission_{name}", args=[submission.pk])


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def submitted(edition, country_a, focal_point):
    return submission_full(edition=edition, country=country_a, submitted_by=focal_point)


# --- The list ----------------------------------------------------------------


def test_submission_list_shows_columns_and_counts(reviewer_client, edition, submitted, country_b):
    values = answers_full(edition)
    half = dict(list(values.items())[: len(values) // 2])
    submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT, values=half)

    response = reviewer_client.get(LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Uzbekistan" in page and "France" in page
    assert "Asia" in page and "Central Asia" in page
    # The submitted one's date in ISO order with its zone (reviewers' lists).
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", page)
    # Progress, dates and comments of every Member State are on the staff list.
    assert reverse("questionnaire:staff_submissions") in page
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts == {"draft": 1, "submitted": 1, "returned": 0, "accepted": 0}


def test_submission_list_search_by_iso3(reviewer_client, edition, submitted, country_b):
    submission_full(edition=edition, country=country_b)

    response = reviewer_client.get(LIST_URL, {"q": "FRA"})

    assert [s.country.iso3 for s in response.context["cl"].result_list] == ["FRA"]


def test_submission_list_filters_by_region_and_status(
    reviewer_client, edition, submitted, country_b
):
    submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT)

    by_region = reviewer_client.get(LIST_URL, {"country__region": "Europe"})
    by_status = reviewer_client.get(LIST_URL, {"status__exact": "submitted"})

    assert [s.country.iso3 for s in by_region.context["cl"].result_list] == ["FRA"]
    assert [s.country.iso3 for s in by_status.context["cl"].result_list] == ["UZB"]


def test_submission_list_filters_by_language_named_and_never_submitted(
    reviewer_client, edition, submitted, country_b
):
    Submission.objects.filter(pk=submitted.pk).update(language="fr")
    submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT)

    page = reviewer_client.get(LIST_URL).content.decode()
    in_french = reviewer_client.get(LIST_URL, {"language": "fr"})
    never = reviewer_client.get(LIST_URL, {"language": "none"})

    # Every choice of the filter is a link with words (no empty link for "no language").
    assert re.search(r'<a href="\?language=none">\s*Not submitted\s*</a>', page)
    assert not re.search(r'<a href="[^"]*language=[^"]*">\s*</a>', page)
    assert [s.country.iso3 for s in in_french.context["cl"].result_list] == ["UZB"]
    assert [s.country.iso3 for s in never.context["cl"].result_list] == ["FRA"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_submission_list_query_count_same_for_1_and_50_rows(reviewer_client, edition):
    countries = list(Country.objects.order_by("iso3")[:50])
    values = answers_full(edition, links_per_question=1)
    submission_full(edition=edition, country=countries[0], values=values)
    reviewer_client.get(LIST_URL)  # the session's first request loads more than later ones
    one = _list_queries(reviewer_client)

    for index, country in enumerate(countries[1:]):
        status = list(Submission.Status)[index % 4]
        submission_full(edition=edition, country=country, values=values, status=status)
    fifty = _list_queries(reviewer_client)

    assert fifty == one


# --- A submission's page -------------------------------------------------------


def test_review_page_shows_answers_comments_and_links_the_history(
    reviewer_client, submitted, reviewer
):
    stored = submitted.answers.get(question__code="q1").value["links"][0]
    SubmissionEvent.objects.create(
        submission=submitted,
        kind=SubmissionEvent.Kind.ANSWERS_SAVED,
        actor=submitted.submitted_by,
        question=submitted.edition.questions.get(code="q6"),
        version=1,
        before={"answer": "no"},
        after={"answer": "yes"},
    )
    ReviewComment.objects.create(
        submission=submitted,
        question=submitted.edition.questions.get(code="q3"),
        author=reviewer,
        text="Please give the ministry's own address.",
        version=1,
    )

    response = reviewer_client.get(_change_url(submitted))

    page = response.content.decode()
    assert response.status_code == 200
    assert stored["url"].replace("&", "&amp;") in page
    assert "Institutional Framework" in page
    assert "Please give the ministry&#x27;s own address." in page
    # The history has its own page (the admin's history view), linked from this one.
    history = reverse("admin:questionnaire_submission_history", args=[submitted.pk])
    assert f'href="{history}"' in page
    assert 'name="comment-q-q3"' in page
    assert "Accept" in page


def test_review_page_escapes_answers(reviewer_client, edition, country_a):
    values = answers_full(edition)
    values["q6"]["details"] = '<script>alert("x")</script>'
    values["q1"]["links"][0]["url"] = "javascript:alert(1)"
    submission = submission_full(edition=edition, country=country_a, values=values)

    page = reviewer_client.get(_change_url(submission)).content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_review_page_unknown_submission_is_404(reviewer_client, db):
    response = reviewer_client.get(
        reverse("admin:questionnaire_submission_change", args=["999999"])
    )
    assert response.status_code == 404


def test_review_page_answers_are_not_editable(reviewer_client, submitted):
    page = reviewer_client.get(_change_url(submitted)).content.decode()

    assert 'name="q1' not in page
    response = reviewer_client.post(_change_url(submitted), {"status": "accepted"})
    assert response.status_code == 405 or Submission.objects.get().status == "submitted"


# --- Actions -----------------------------------------------------------------


def test_return_action_returns_with_comments_and_emails_officials(
    reviewer_client,
    submitted,
    focal_point,
    contributor,
    reviewer,
    emails_in_process,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            _action_url("comments", submitted),
            {
                "version": submitted.version,
                "action": "return",
                "comment-q-q3": "The ministry's URL is missing.",
                "comment-general": "Thank you; two points to revise.",
                "comment-q-q6": "",
            },
        )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.RETURNED
    comments = {
        (c.question.code if c.question else ""): c.text for c in submitted.review_comments.all()
    }
    assert comments == {
        "q3": "The ministry's URL is missing.",
        "": "Thank you; two points to revise.",
    }
    event = submitted.events.get(kind=SubmissionEvent.Kind.RETURNED)
    assert event.actor == reviewer
    assert (event.before, event.after) == ({"status": "submitted"}, {"status": "returned"})
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {focal_point.email, contributor.email}
    assert "The ministry's URL is missing." in mail.outbox[0].body
    assert "Question 3. (q3)" in mail.outbox[0].body


def test_return_action_without_comment_refused_and_nothing_changes(reviewer_client, submitted):
    response = reviewer_client.post(
        _action_url("comments", submitted), {"version": submitted.version, "action": "return"}
    )

    assert response.status_code == 400
    assert "Write at least one comment" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED
    assert not submitted.events.exists()


def test_return_action_on_stale_version_keeps_typed_comments(reviewer_client, submitted):
    response = reviewer_client.post(
        _action_url("comments", submitted),
        {"version": submitted.version - 1, "action": "return", "comment-q-q3": "Typed text"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert ">Typed text</textarea>" in page
    assert Submission.objects.get().status == Submission.Status.SUBMITTED
    assert not ReviewComment.objects.exists()


def test_save_comments_action_keeps_status(reviewer_client, submitted):
    reviewer_client.post(
        _action_url("comments", submitted),
        {"version": submitted.version, "action": "save", "comment-q-q7": "Which year?"},
    )

    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED
    assert submitted.review_comments.get().question.code == "q7"
    assert submitted.events.get().kind == SubmissionEvent.Kind.COMMENTED


def test_save_comments_action_while_returned_says_the_officials_are_emailed(
    reviewer_client, submitted, reviewer
):
    submission_return(submission=submitted, reviewer=reviewer, comments={"q3": "Name it."})
    submitted.refresh_from_db()

    response = reviewer_client.post(
        _action_url("comments", submitted),
        {"version": submitted.version, "action": "save", "comment-q-q7": "Which year?"},
        follow=True,
    )

    page = response.content.decode()
    assert "officials see them now and are told by e-mail" in page
    assert "once you return it" not in page
    assert PendingTask.objects.filter(task="questionnaire.tasks.task_email_new_comments").exists()


def test_accept_action_without_confirmation_changes_nothing(reviewer_client, submitted):
    response = reviewer_client.post(_action_url("accept", submitted), {"version": 1}, follow=True)

    assert "Tick the box to confirm the acceptance" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED
    assert not submitted.events.filter(kind=SubmissionEvent.Kind.ACCEPTED).exists()


def test_accept_action_accepts(reviewer_client, submitted, reviewer):
    response = reviewer_client.post(
        _action_url("accept", submitted), {"version": 1, "confirm": "yes"}
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.ACCEPTED
    assert submitted.version == 2
    assert submitted.events.get().actor == reviewer


def test_accept_action_get_not_allowed(reviewer_client, submitted):
    response = reviewer_client.get(_action_url("accept", submitted))

    assert response.status_code == 405
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_reopen_action_makes_draft_with_reason(
    reviewer_client, submitted, emails_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            _action_url("reopen", submitted),
            {"version": 1, "reason": "The country asked to correct question 12."},
        )

    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.DRAFT
    assert submitted.events.get().message == "The country asked to correct question 12."
    assert "The country asked to correct question 12." in mail.outbox[0].body


def test_reopen_action_without_reason_refused(reviewer_client, submitted):
    response = reviewer_client.post(_action_url("reopen", submitted), {"version": 1})

    assert response.status_code == 400
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


@pytest.mark.parametrize(
    ("identifier", "content_type"),
    [
        ("tidy_csv", "text/csv"),
        ("wide_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("json", "application/json"),
        ("pdf_zip", "application/zip"),
    ],
)
def test_export_action_downloads_selected_rows(
    reviewer_client, edition, submitted, country_b, identifier, content_type
):
    submission_full(edition=edition, country=country_b)

    response = reviewer_client.post(
        LIST_URL,
        {"action": f"export_{identifier}", "_selected_action": [submitted.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    if identifier == "tidy_csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert {row["country_iso3"] for row in rows} == {"UZB"}
    if identifier == "json":
        assert [c["iso3"] for c in json.loads(content)["countries"]] == ["UZB"]


def test_export_action_spss_refusal_is_said_on_the_list(reviewer_client, edition, country_b):
    # 20,000 Cyrillic characters: more bytes than an SPSS string holds.
    values = answers_full(edition)
    values["q6"]["details"] = "ж" * 20_000
    too_long = submission_full(edition=edition, country=country_b, values=values)

    response = reviewer_client.post(
        LIST_URL,
        {"action": "export_spss_sav", "_selected_action": [too_long.pk]},
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any("q6.details is 20,000 characters" in message for message in messages)


def test_render_pdf_action_queues_a_forced_render(reviewer_client, submitted, monkeypatch):
    from questionnaire.pdf import services as pdf_services

    queued = []
    monkeypatch.setattr(
        pdf_services, "pdf_render_queue", lambda **kwargs: queued.append(kwargs) or True
    )

    response = reviewer_client.post(_action_url("render_pdf", submitted))

    assert response.status_code == 302
    assert queued == [{"submission": submitted, "force": True}]


def test_render_pdf_action_on_draft_refused(reviewer_client, edition, country_a, monkeypatch):
    from questionnaire.pdf import services as pdf_services

    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    queued = []
    monkeypatch.setattr(pdf_services, "pdf_render_queue", lambda **kwargs: queued.append(kwargs))

    response = reviewer_client.post(_action_url("render_pdf", draft), follow=True)

    assert queued == []
    assert "Only a submitted questionnaire has a PDF." in response.content.decode()


def test_submission_list_links_the_pdf(reviewer_client, submitted):
    submitted.pdf.name = "submissions/pdf/uzb-v1.pdf"
    submitted.pdf_version = 1
    submitted.save()

    page = reviewer_client.get(LIST_URL).content.decode()

    assert reverse("questionnaire:submission_pdf", args=[submitted.pk]) in page
    assert "PDF of submission 1" in page
    assert "PDF v1" not in page


def test_export_job_admin_links_private_file_through_staff_page(reviewer_client, edition, reviewer):
    from questionnaire.models import ExportJob

    job = ExportJob.objects.create(
        edition=edition, exporter="json", status=ExportJob.Status.DONE, created_by=reviewer
    )
    job.file.save("export.json", io.BytesIO(b"{}"))

    page = reviewer_client.get(
        reverse("admin:questionnaire_exportjob_change", args=[job.pk])
    ).content.decode()

    assert reverse("questionnaire:staff_export", args=[job.pk]) in page
    assert "/media/" not in page


def test_admin_index_links_the_review_console(reviewer_client):
    page = reviewer_client.get(reverse("admin:index")).content.decode()

    assert reverse("questionnaire:staff_dashboard") in page
    assert reverse("questionnaire:staff_exports") in page


def test_review_page_comment_labels_are_unique_and_name_their_question(reviewer_client, submitted):
    page = reviewer_client.get(_change_url(submitted)).content.decode()

    labels = dict(re.findall(r'<label for="comment-q-([\w-]+)">([^<]*)</label>', page))
    codes = list(submitted.edition.questions.values_list("code", flat=True))
    assert sorted(labels) == sorted(codes)
    assert len(set(labels.values())) == len(labels)
    for code, label in labels.items():
        assert f"{code}" in label, label
    # Both sections I and VI have a question 1; the contact block has no number.
    assert labels["q1"] == "Your comment on question 1. (q1)"
    assert labels["x1"] == "Your comment on question 1. (x1)"
    assert labels["x_contact"] == "Your comment on question x_contact"


def test_review_page_names_the_submission_as_the_country_counts_it(
    reviewer_client, submitted, reviewer
):
    Submission.objects.filter(pk=submitted.pk).update(version=15, submitted_version=14)
    for version in (6, 14):
        SubmissionEvent.objects.create(
            submission=submitted, kind=SubmissionEvent.Kind.SUBMITTED, version=version
        )
    ReviewComment.objects.create(
        submission=submitted, author=reviewer, text="On the first one.", version=6
    )
    Submission.objects.filter(pk=submitted.pk).update(submission_number=2)

    page = reviewer_client.get(_change_url(submitted)).content.decode()

    # Reviewers read ISO dates with their zone.
    when = submitted.submitted_at.strftime("%Y-%m-%d %H:%M")
    assert f"Submission 2 of {when} UTC" in page
    assert "on submission 1" in page
    assert "version 14 submitted" not in page


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True, email="root@un.example.org")


def _admin_home_sections(page: str) -> dict[str, list[str]]:
    """{section caption: [model names]} of the admin home's app list, as shown."""
    sections = {}
    for caption, body in re.findall(
        r'<caption>\s*(?:<span class="section">|<a [^>]*class="section"[^>]*>)([^<]+)</(?:span|a)>'
        r"\s*</caption>(.*?)</table>",
        page,
        re.S,
    ):
        sections[caption.strip()] = [
            name.strip()
            for name in re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>', body)
        ]
    return sections


def test_admin_home_groups_models_for_reviewers(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()

    sections = _admin_home_sections(page)
    assert list(sections) == ["Review", "Accounts", "Security"]
    assert sections["Review"][:2] == ["Submissions", "Review comments"]
    assert {"Export jobs", "Link checks", "Editions", "Questions"} <= set(sections["Review"])
    assert {"Users", "Countries", "Invitations", "Groups"} <= set(sections["Accounts"])
    assert {"Access attempts", "Access failures", "TOTP devices"} <= set(sections["Security"])
    # No raw app labels, and the review console's shortcuts are still there.
    visible = re.sub(r"<[^>]+>", " ", page).lower()
    assert "axes" not in visible
    assert "otp_totp" not in visible
    assert reverse("questionnaire:staff_questions") in page
    assert reverse("questionnaire:staff_dashboard") in page


def test_admin_home_sections_are_translated(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert list(_admin_home_sections(page))[:1] == ["Examen"]


def test_admin_app_pages_keep_readable_app_names(client, superuser):
    client.force_login(superuser)

    axes_page = client.get(reverse("admin:app_list", args=["axes"])).content.decode()
    totp_page = client.get(reverse("admin:app_list", args=["otp_totp"])).content.decode()

    assert "Sign-in attempts" in axes_page
    assert "Two-factor sign-in" in totp_page


def test_admin_home_shows_a_reviewer_only_what_they_may_open(reviewer_client):
    page = reviewer_client.get(reverse("admin:index")).content.decode()

    sections = _admin_home_sections(page)
    assert "Review" in sections and "Submissions" in sections["Review"]
