"""What the read API answers: pages, filters, bad input, the tidy rows, limits, the record."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openapi_spec_validator import validate

from accounts.models import Country
from api.models import ApiCall, ApiToken
from api.services import api_token_create
from questionnaire.exports.columns import COUNTRY_COLUMNS
from questionnaire.exports.reading import submissions_for_export
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.models import Submission
from tests import factories
from tests.api.conftest import MARKER, bearer


@pytest.fixture
def api(client, reviewer_token):
    def get(name, kwargs=None, **params):
        return client.get(reverse(name, kwargs=kwargs), params, headers=bearer(reviewer_token))

    return get


@pytest.fixture
def five_submissions(edition, countries):
    """Five countries in two regions, in several statuses, changed at known moments."""
    rows = []
    start = timezone.now() - timedelta(days=10)
    for day, (iso3, status) in enumerate(
        [
            ("UZB", Submission.Status.SUBMITTED),
            ("FRA", Submission.Status.DRAFT),
            ("KEN", Submission.Status.ACCEPTED),
            ("GHA", Submission.Status.SUBMITTED),
            ("BRA", Submission.Status.RETURNED),
        ]
    ):
        submission = factories.SubmissionFactory(
            edition=edition, country=Country.objects.get(iso3=iso3), status=status
        )
        Submission.objects.filter(pk=submission.pk).update(updated_at=start + timedelta(days=day))
        rows.append(submission)
    return rows


def test_submissions_cursor_walks_every_submission_once(api, five_submissions):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api("api:submissions", **params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [submission.pk for submission in five_submissions]
    assert pages == 3


def test_submissions_filters_by_status_region_and_updated_since(api, five_submissions):
    def countries(**params):
        response = api("api:submissions", **params)
        assert response.status_code == 200, response.content
        return [item["country_iso3"] for item in response.json()["items"]]

    assert countries(status="submitted") == ["UZB", "GHA"]
    assert countries(region="Africa") == ["KEN", "GHA"]
    since = (timezone.now() - timedelta(days=7, hours=12)).isoformat()
    assert countries(updated_since=since) == ["GHA", "BRA"]
    assert countries(edition="msq-2020", status="returned") == ["BRA"]
    assert countries(edition="msq-2099") == []


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"country": "UZB"}, "Unknown query parameter(s): country"),
        ({"cursor": "not-a-cursor"}, "cursor: not a cursor this API gave out"),
        ({"limit": 201}, "limit: between 1 and 200, not 201"),
        ({"limit": 0}, "limit: between 1 and 200, not 0"),
        ({"limit": "many"}, "limit: Input should be a valid integer"),
        ({"status": "lost"}, "status: Input should be 'draft'"),
        ({"updated_since": "last week"}, "updated_since:"),
        ({"updated_since": "2020-05-01T00:00:00"}, "updated_since: give a time zone"),
    ],
)
def test_submissions_bad_input_is_400_in_words(api, five_submissions, params, words):
    response = api("api:submissions", **params)
    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_submissions_tampered_cursor_is_400(api, five_submissions):
    cursor = api("api:submissions", limit=1).json()["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    response = api("api:submissions", limit=1, cursor=tampered)
    assert response.status_code == 400


def test_tidy_unknown_filter_is_400(api, edition):
    response = api("api:edition_tidy_csv", {"code": edition.code}, format="wide")
    assert response.status_code == 400
    assert "format" in response.json()["detail"]


def test_edition_lists_sections_questions_parts_and_choices(api, edition):
    body = api("api:edition", {"code": edition.code}).json()
    questions = [q for section in body["sections"] for q in section["questions"]]
    assert len(questions) == edition.questions.count()
    multi = next(p for q in questions for p in q["parts"] if p["kind"] == "multi")
    assert multi["options"][0]["code"] and multi["options"][0]["label"]


def test_edition_unknown_is_404(api, db):
    assert api("api:edition", {"code": "msq-1999"}).status_code == 404


def test_submission_answers_are_the_json_export_entry(api, submission_a):
    Submission.objects.filter(pk=submission_a.pk).update(language="fr")
    body = api("api:submission_answers", {"submission_id": submission_a.pk}).json()
    assert body["iso3"] == "UZB"
    assert MARKER in json.dumps(body)
    # Every per-country field of the JSON export, none dropped by the API's schema.
    assert {column.json_key for column in COUNTRY_COLUMNS if column.json_key} <= set(body)
    assert body["language"] == "fr"


def _stream(response) -> bytes:
    return b"".join(response.streaming_content)


def test_tidy_csv_is_byte_for_byte_the_tidy_export(api, submission_a, edition, country_b):
    factories.submission_full(edition=edition, country=country_b, status="accepted")
    response = api("api:edition_tidy_csv", {"code": edition.code})
    assert response.status_code == 200
    exported = io.BytesIO()
    TidyCsvExporter(edition=edition).write(
        submissions=submissions_for_export(edition=edition), out=exported
    )
    assert _stream(response) == exported.getvalue()
    assert MARKER.encode() in exported.getvalue()


def test_tidy_jsonl_rows_are_the_csv_rows(api, submission_a, edition, country_b):
    factories.submission_full(edition=edition, country=country_b, status="accepted")
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                _stream(api("api:edition_tidy_csv", {"code": edition.code})).decode("utf-8-sig")
            )
        )
    )
    lines = _stream(api("api:edition_tidy_jsonl", {"code": edition.code})).decode().splitlines()
    json_rows = [json.loads(line) for line in lines]
    assert len(json_rows) == len(csv_rows) > 100
    # CSV cells are text (and formula-like ones get an apostrophe); JSON keeps values as typed.
    assert [row["question_code"] for row in json_rows] == [r["question_code"] for r in csv_rows]
    assert {row["country_iso3"] for row in json_rows} == {"UZB", "FRA"}


def test_tidy_status_filter_keeps_those_submissions(api, submission_a, edition, country_b):
    factories.submission_full(edition=edition, country=country_b, status="accepted")
    lines = _stream(
        api("api:edition_tidy_jsonl", {"code": edition.code}, status="accepted")
    ).splitlines()
    assert lines and {json.loads(line)["country_iso3"] for line in lines} == {"FRA"}


def test_api_rate_limit_is_per_token(client, settings, reviewer, edition):
    settings.MSQ_API_RATE_LIMIT = 3
    _token, first = api_token_create(user=reviewer, name="one")
    _token, second = api_token_create(user=reviewer, name="two")
    statuses = [client.get("/api/v1/editions", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/editions", headers=bearer(first))
    assert int(limited["Retry-After"]) > 0
    assert "Too many calls" in limited.json()["detail"]
    assert client.get("/api/v1/editions", headers=bearer(second)).status_code == 200


def test_api_call_is_recorded_with_owner_and_last_use(api, reviewer, edition):
    api("api:submissions", status="draft")
    call = ApiCall.objects.get()
    assert (call.user, call.method, call.path, call.query, call.status) == (
        reviewer,
        "GET",
        "/api/v1/submissions",
        "status=draft",
        200,
    )
    assert ApiToken.objects.get().last_used_at is not None


def test_openapi_document_validates(client, db):
    spec = client.get(reverse("api:openapi-json")).json()
    validate(spec)
    assert {"/api/v1/submissions", "/api/v1/editions/{code}/tidy.csv"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["ReviewerToken"]["scheme"] == "bearer"
