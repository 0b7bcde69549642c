"""Officials and the editions' life: they land on the open edition, read their past editions
(read-only pages, PDFs), get a clear page between editions, and cannot write to a closed one."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire.editions.lifecycle import edition_transition
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.states import EditionAction
from questionnaire.filling.errors import EditionClosedError
from questionnaire.filling.services import answers_save
from questionnaire.models import Edition, Submission
from questionnaire.pdf import render as pdf_render
from questionnaire.pdf.services import submission_pdf_render
from tests.factories import submission_full
from tests.questionnaire.filling_helpers import section_data

STUB_PDF = b"%PDF-1.7 the 2020 record\n%%EOF\n"
PAST_2020 = reverse("questionnaire:past_submission", kwargs={"edition_code": "msq-2020"})


@pytest.fixture
def submitted_2020(settings, tmp_path, monkeypatch, edition, country_a, focal_point):
    """Uzbekistan's 2020 submission with its PDF stored (a stub)."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(
        pdf_render, "submission_pdf", lambda snapshot, draft=False, language=None: STUB_PDF
    )
    submission = submission_full(
        edition=edition,
        country=country_a,
        submitted_by=focal_point,
        values={"q14": {"details": "Our 2020 <b>answer</b>"}},
    )
    submission_pdf_render(submission_id=submission.pk, version=1)
    submission.refresh_from_db()
    return submission


@pytest.fixture
def next_open(edition, reviewer) -> Edition:
    """msq-2022-example opened by a reviewer, msq-2020 closed in the same step."""
    example = edition_load(path=edition_path("msq-2022-example")).edition
    edition_transition(edition=example, action=EditionAction.OPEN, actor=reviewer, close_other=True)
    return example


def _page(response) -> str:
    return response.content.decode()


def test_official_lands_on_the_open_edition_with_past_editions_below(
    client, focal_point, submitted_2020, next_open
):
    client.force_login(focal_point)
    page = _page(client.get("/"))
    assert "MSQ 2022 (example for tests and demos" in page
    assert "Past editions" in page
    assert PAST_2020 in page
    assert reverse("questionnaire:submission_pdf", args=[submitted_2020.pk]) in page


def test_overview_without_past_submissions_has_no_past_editions(client, focal_point, edition):
    client.force_login(focal_point)
    assert "Past editions" not in _page(client.get("/"))


def test_past_edition_page_is_read_only_and_escapes_answers(
    client, focal_point, submitted_2020, next_open
):
    client.force_login(focal_point)
    response = client.get(PAST_2020)
    page = _page(response)
    assert response.status_code == 200
    assert "This edition is closed" in page
    assert "Our 2020 &lt;b&gt;answer&lt;/b&gt;" in page
    assert "<form" not in page.split("<main", 1)[1]
    assert "Continue filling in" not in page
    # The PDF on file, never the "being prepared" poll of the open edition.
    assert reverse("questionnaire:submission_pdf", args=[submitted_2020.pk]) in page
    assert "pdf-status" not in page


def test_past_edition_pdf_downloads_for_the_country(client, focal_point, submitted_2020, next_open):
    client.force_login(focal_point)
    response = client.get(reverse("questionnaire:submission_pdf", args=[submitted_2020.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == STUB_PDF


def test_past_edition_still_read_after_it_is_archived_and_unarchived(
    client, focal_point, reviewer, submitted_2020, next_open
):
    client.force_login(focal_point)
    for action in (EditionAction.ARCHIVE, EditionAction.UNARCHIVE):
        edition_transition(edition=submitted_2020.edition, action=action, actor=reviewer)

        overview = _page(client.get("/"))
        response = client.get(PAST_2020)

        assert PAST_2020 in overview, action
        assert response.status_code == 200, action
        page = _page(response)
        assert "Our 2020 &lt;b&gt;answer&lt;/b&gt;" in page
        assert "<form" not in page.split("<main", 1)[1]
        assert reverse("questionnaire:submission_pdf", args=[submitted_2020.pk]) in page


def test_another_countrys_past_edition_is_404(client, outsider, submitted_2020, next_open):
    client.force_login(outsider)
    assert client.get(PAST_2020).status_code == 404
    pdf = client.get(reverse("questionnaire:submission_pdf", args=[submitted_2020.pk]))
    assert pdf.status_code == 404


@pytest.mark.parametrize("code", ["msq-2022-example", "msq-1999", "msq-2020"])
def test_past_page_of_an_open_planned_or_unknown_edition_is_404(client, focal_point, edition, code):
    # msq-2020 is open here, msq-2022-example planned, msq-1999 does not exist.
    edition_load(path=edition_path("msq-2022-example"))
    submission_full(edition=edition, country=focal_point.country)
    client.force_login(focal_point)
    url = reverse("questionnaire:past_submission", kwargs={"edition_code": code})
    assert client.get(url).status_code == 404


def test_no_open_edition_is_a_clear_page_not_an_error(
    client, focal_point, reviewer, submitted_2020, settings
):
    settings.MSQ_HELP_EMAIL = "msq-help@un.example.org"
    edition_transition(edition=submitted_2020.edition, action=EditionAction.CLOSE, actor=reviewer)
    client.force_login(focal_point)
    section = submitted_2020.edition.questions.get(code="q14").section
    for url in ["/", "/review/", "/submission/", f"/section/{section.code}/"]:
        response = client.get(url)
        page = _page(response)
        assert response.status_code == 200, url
        assert "The questionnaire is not open for answers just now" in page
        assert "mailto:msq-help@un.example.org" in page
        assert PAST_2020 in page


def test_save_after_the_edition_closed_is_refused_and_saves_nothing(
    client, focal_point, reviewer, edition, country_a
):
    draft = submission_full(
        edition=edition, country=country_a, status=Submission.Status.DRAFT, values={}
    )
    client.force_login(focal_point)
    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)

    section = edition.questions.get(code="q14").section
    posted = client.post(f"/section/{section.code}/", section_data(section, submission=draft))
    autosave = client.post(
        f"/section/{section.code}/autosave",
        json.dumps({"base_version": draft.version, "values": {"q14": {"details": "late"}}}),
        content_type="application/json",
    )

    assert posted.status_code == 409
    assert "not open for answers" in _page(posted)
    assert autosave.status_code == 409
    assert autosave.json()["code"] == "locked"
    draft.refresh_from_db()
    assert draft.version == 1 and not draft.answers.exists()


def test_service_write_to_a_closed_edition_says_the_edition_is_closed(
    edition, country_a, focal_point, reviewer
):
    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)
    with pytest.raises(EditionClosedError, match="This edition of the questionnaire is closed"):
        answers_save(
            submission=draft,
            user=focal_point,
            values={"q14": {"details": "changed"}},
            base_version=draft.version,
        )


def _past_edition(year: int, country) -> None:
    """A closed edition of `year` with a draft of `country` (no content: the list needs none)."""
    past = Edition.objects.create(
        code=f"msq-{year}",
        year=year,
        title=f"MSQ {year}",
        consent_text="-",
        source_file="-",
        source_sha256="0" * 64,
        state=Edition.State.CLOSED,
    )
    Submission.objects.create(edition=past, country=country, status=Submission.Status.DRAFT)


def test_overview_query_count_is_the_same_with_one_and_three_past_editions(
    client, focal_point, edition, country_a, django_assert_num_queries
):
    client.force_login(focal_point)
    _past_edition(2000, country_a)
    client.get("/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert "MSQ 2000" in _page(client.get("/"))
    # Read now: each request empties the query log (Django's request_started signal).
    queries_with_one = len(one.captured_queries)
    _past_edition(2001, country_a)
    _past_edition(2002, country_a)
    client.get("/")  # saving an edition empties the structure cache (questionnaire.apps)
    with django_assert_num_queries(queries_with_one):
        page = _page(client.get("/"))
    assert all(f"MSQ {year}" in page for year in (2000, 2001, 2002))


def test_page_of_a_closed_edition_never_saves_into_the_next_one(
    client, focal_point, edition, country_a, next_open
):
    # A 2020 section page left open while DPIDG closed 2020 and opened 2022 (no draft yet).
    draft = submission_full(
        edition=edition, country=country_a, status=Submission.Status.DRAFT, values={}
    )
    section = edition.questions.get(code="q14").section
    data = section_data(section, submission=draft, edition="msq-2020")
    client.force_login(focal_point)

    posted = client.post(f"/section/{section.code}/", data)
    autosave = client.post(f"/section/{section.code}/autosave", data)

    assert posted.status_code == 302 and posted["Location"] == "/"
    assert autosave.status_code == 409
    assert "This edition of the questionnaire is closed" in autosave.json()["error"]
    assert not Submission.objects.filter(edition=next_open).exists()
    draft.refresh_from_db()
    assert draft.version == 1 and not draft.answers.exists()
