"""One question across countries (/staff/questions/<code>/): every Member State's answer to one
question, its filters, its counts per choice, its downloads and who may open it."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Country
from questionnaire.models import Submission
from tests.factories import submission_full

Status = Submission.Status
SCRIPT = "<script>alert('q15')</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _url(code="q15", **params):
    url = reverse("questionnaire:staff_question_across", args=[code])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _download(client, file_format, **params):
    url = reverse("questionnaire:staff_question_across_download", args=["q15", file_format])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return client.get(url)


def _q15(selected, *, other="", details="", links=None):
    return {
        "q15": {
            "answer": {"selected": selected, "other": other},
            "details": details,
            "links": links or [],
        }
    }


@pytest.fixture
def q15_set(edition):
    """UZB submitted (AI, blockchain; a <script> text, a javascript: and an https link),
    KAZ accepted (AI; a formula as its text), DEU returned (AI, other), FRA a draft
    without q15; the other 189 have no submission."""
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["UZB", "KAZ", "FRA", "DEU"])}
    submission_full(
        edition=edition,
        country=countries["UZB"],
        status=Status.SUBMITTED,
        values=_q15(
            ["ai", "blockchain"],
            details=SCRIPT,
            links=[
                {"name": "Trap", "url": "javascript:alert(1)", "note": ""},
                {"name": "AI strategy", "url": "https://ai.gov.uz/strategy", "note": ""},
            ],
        ),
    )
    submission_full(
        edition=edition,
        country=countries["KAZ"],
        status=Status.ACCEPTED,
        values=_q15(["ai"], details=FORMULA),
    )
    submission_full(
        edition=edition,
        country=countries["DEU"],
        status=Status.RETURNED,
        values=_q15(["ai", "other"], other="Digital twins"),
    )
    submission_full(
        edition=edition,
        country=countries["FRA"],
        status=Status.DRAFT,
        values={"q10": {"answer": "no"}},
    )
    return countries


def _counts(page: str) -> dict[str, int]:
    return {
        code: int(count)
        for code, count in re.findall(
            r'<tr data-choice="([\w]+)"><th scope="row">[^<]*</th><td class="count">(\d+)</td>',
            page,
        )
    }


def test_question_across_lists_every_member_state(reviewer_client, q15_set):
    response = reviewer_client.get(_url())

    assert response.status_code == 200
    rows = response.context["across"].rows
    assert len(rows) == 193
    states = {row.country.iso3: row.state for row in rows}
    assert states["UZB"] == "answered"
    assert states["FRA"] == "not_answered"
    assert states["BRA"] == "no_submission"
    page = response.content.decode()
    assert page.count('<tr id="country-') == 193
    assert "No submission" in page
    assert "Not answered" in page


def test_question_across_counts_per_choice_match_the_data(reviewer_client, q15_set):
    page = reviewer_client.get(_url()).content.decode()

    counts = _counts(page)
    assert counts["ai"] == 3
    assert counts["blockchain"] == 1
    assert counts["other"] == 1
    assert counts["robotics"] == 0
    assert "3 of the 193 Member States listed answered" in page
    # The chart draws the same figures: AI answered by all 3, so the full bar, 100 %.
    assert re.search(r'class="chart-total">3 \(100 %\)</text>', page)
    assert re.search(r'class="chart-total">1 \(33 %\)</text>', page)
    assert "<svg" in page and 'role="img"' in page


def test_question_across_yes_no_question_counts_yes_and_no(reviewer_client, q15_set, edition):
    page = reviewer_client.get(_url("q10")).content.decode()

    # FRA said no; the other three have no q10 answer.
    assert _counts(page) == {"yes": 0, "no": 1}


def test_question_across_text_question_has_no_chart(reviewer_client, q15_set):
    page = reviewer_client.get(_url("q14")).content.decode()

    assert "Counts per choice" not in page
    assert page.count('<tr id="country-') == 193


def test_question_across_filters_by_region_subregion_and_status(reviewer_client, q15_set):
    by_region = reviewer_client.get(_url(region="Asia")).context["across"]
    assert {row.country.region for row in by_region.rows} == {"Asia"}
    assert {"UZB", "KAZ"} <= {row.country.iso3 for row in by_region.rows}
    assert [c.count for c in by_region.choice_counts[0].counts][:2] == [2, 1]

    by_subregion = reviewer_client.get(_url(subregion="Western%20Europe")).context["across"]
    assert {row.country.subregion for row in by_subregion.rows} == {"Western Europe"}
    assert "DEU" in {row.country.iso3 for row in by_subregion.rows}

    by_status = reviewer_client.get(_url(status="accepted")).context["across"]
    assert [row.country.iso3 for row in by_status.rows] == ["KAZ"]

    not_started = reviewer_client.get(_url(status="not_started")).context["across"]
    assert len(not_started.rows) == 189


def test_question_across_unknown_filter_values_are_ignored(reviewer_client, q15_set):
    response = reviewer_client.get(_url(region="Atlantis", status="lost"))

    assert response.status_code == 200
    assert len(response.context["across"].rows) == 193


def test_question_across_filter_form_works_without_javascript(reviewer_client, q15_set):
    page = reviewer_client.get(_url(region="Europe")).content.decode()

    assert '<form method="get"' in page
    assert '<option value="Europe" selected>' in page
    assert 'name="subregion"' in page and 'name="status"' in page


def test_question_across_escapes_a_script_answer(reviewer_client, q15_set):
    page = reviewer_client.get(_url()).content.decode()

    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#x27;q15&#x27;)&lt;/script&gt;" in page


def test_question_across_links_only_http_addresses(reviewer_client, q15_set):
    page = reviewer_client.get(_url()).content.decode()

    link = re.search(r'<a href="https://ai.gov.uz/strategy"[^>]*>', page)
    assert link and "noopener" in link.group(0) and "noreferrer" in link.group(0)
    assert 'href="javascript:' not in page
    # Shown as typed, not as a link.
    assert "javascript:alert(1)" in page


def test_question_across_csv_download_neutralises_formulas(reviewer_client, q15_set):
    response = _download(reviewer_client, "csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "msq-2020-q15-across-countries.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 193
    by_country = {row["country_iso3"]: row for row in rows}
    assert by_country["KAZ"]["q15.details"] == "'" + FORMULA
    assert by_country["UZB"]["q15.details"] == SCRIPT
    assert by_country["UZB"]["q15.answer.ai"] == "Artificial Intelligence (AI)"
    assert by_country["UZB"]["q15.links.2.url"] == "https://ai.gov.uz/strategy"
    assert by_country["DEU"]["q15.answer.other_text"] == "Digital twins"
    assert by_country["BRA"]["answer_state"] == "no_submission"
    assert by_country["UZB"]["submitted_at"].endswith("+00:00")
    # Choices in the edition's order.
    header = list(rows[0])
    assert header.index("q15.answer.ai") < header.index("q15.answer.blockchain")


def test_question_across_csv_download_keeps_the_filters(reviewer_client, q15_set):
    response = _download(reviewer_client, "csv", status="accepted")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["country_iso3"] for row in rows] == ["KAZ"]


def test_question_across_xlsx_download_holds_formulas_as_text(reviewer_client, q15_set):
    response = _download(reviewer_client, "xlsx", region="Asia")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    by_country = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_country) >= {"UZB", "KAZ"}
    assert {row["region"] for row in by_country.values()} == {"Asia"}
    assert by_country["KAZ"]["q15.details"] == FORMULA
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == FORMULA)
    assert cell.data_type == "s"


def test_question_across_unknown_download_format_is_404(reviewer_client, q15_set):
    assert _download(reviewer_client, "pdf").status_code == 404


def test_question_across_unknown_question_is_404(reviewer_client, edition):
    assert reviewer_client.get(_url("q999")).status_code == 404


def test_question_across_refused_to_officials(client, focal_point, edition):
    client.force_login(focal_point)

    assert client.get(_url()).status_code == 403
    assert client.get(reverse("questionnaire:staff_questions")).status_code == 403
    assert _download(client, "csv").status_code == 403


def test_question_index_links_every_question_by_section(reviewer_client, edition):
    page = reviewer_client.get(reverse("questionnaire:staff_questions")).content.decode()

    for code in edition.questions.values_list("code", flat=True):
        assert f'href="{_url(code)}"' in page
    assert "VII. New Technologies" in page


def test_dashboard_links_the_question_index(reviewer_client, edition):
    page = reviewer_client.get(reverse("questionnaire:staff_dashboard")).content.decode()

    assert reverse("questionnaire:staff_questions") in page


def test_review_page_links_each_question_to_its_view_across_countries(
    reviewer_client, q15_set, edition
):
    submission = Submission.objects.get(country__iso3="UZB")
    page = reviewer_client.get(
        reverse("admin:questionnaire_submission_change", args=[submission.pk])
    ).content.decode()

    assert f'href="{_url()}?edition=msq-2020"' in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_question_across_queries_do_not_grow_with_countries(reviewer_client, edition):
    countries = list(Country.objects.order_by("name"))

    def answer(batch):
        for index, country in enumerate(batch):
            submission_full(
                edition=edition,
                country=country,
                status=list(Status)[index % 4],
                values=_q15(["ai"], links=[{"name": "", "url": "https://a.example", "note": ""}]),
            )

    answer(countries[:3])
    # A first request reads what is cached after it (the session's language, the admin's apps).
    _queries(reviewer_client, _url())
    few = _queries(reviewer_client, _url())
    few_download = _queries(
        reviewer_client,
        reverse("questionnaire:staff_question_across_download", args=["q15", "xlsx"]),
    )
    answer(countries[3:30])
    many = _queries(reviewer_client, _url())
    many_download = _queries(
        reviewer_client,
        reverse("questionnaire:staff_question_across_download", args=["q15", "xlsx"]),
    )

    assert few == many
    assert few_download == many_download


def test_question_across_says_when_a_question_was_not_asked(reviewer_client, q15_set):
    # q11 is asked only when q10 is "yes"; France answered q10 "no".
    response = reviewer_client.get(_url("q11"))

    states = {row.country.iso3: row.state for row in response.context["across"].rows}
    assert states["FRA"] == "not_shown"
    assert "Not asked: depends on an earlier answer" in response.content.decode()
