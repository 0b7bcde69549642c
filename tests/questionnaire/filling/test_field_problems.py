"""Validation at the field: which problems a section page shows, where, and what a save says."""

import html
import re

import pytest

from questionnaire.filling.services import submission_get_or_create
from tests.questionnaire.filling_helpers import links_data, section_data

SECTION_I = "institutional-framework"
SECTION_II = "strategy-and-implementation"
BAD_URL = "not a url at all"


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


@pytest.fixture
def signed_in(client, focal_point):
    client.force_login(focal_point)
    return client


def page(response) -> str:
    return html.unescape(response.content.decode())


def bad_link_data(edition, submission) -> dict:
    return section_data(
        edition.sections.get(code=SECTION_I),
        submission=submission,
        overrides=links_data("q1-links", [{"name": "Portal", "url": BAD_URL}]),
    )


def test_field_problems_first_visit_shows_no_error(signed_in, edition):
    text = page(signed_in.get(f"/section/{SECTION_I}/"))
    assert "This needs an answer." not in text
    assert "There is a problem" not in text
    assert "is-invalid" not in text
    assert 'aria-invalid="true"' not in text


def test_field_problems_bad_url_is_at_its_input_with_summary_link(signed_in, edition, submission):
    signed_in.post(f"/section/{SECTION_I}/", bad_link_data(edition, submission))
    text = page(signed_in.get(f"/section/{SECTION_I}/"))

    url_input = re.search(r'<input[^>]*id="id_q1-links-0-url"[^>]*>', text)[0]
    assert "is-invalid" in url_input
    assert 'aria-invalid="true"' in url_input
    assert 'aria-describedby="id_q1-links-0-url_error"' in url_input
    message = re.search(r'id="id_q1-links-0-url_error"[^>]*>(.*?)</div>', text, re.S)[1]
    assert f"“{BAD_URL}” does not look like a web address." in message
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', text, re.S)[0]
    assert 'role="alert"' in summary
    assert "There is a problem" in summary
    assert 'href="#id_q1-links-0-url"' in summary


def test_field_problems_save_with_bad_value_says_it_needs_attention(signed_in, edition, submission):
    response = signed_in.post(
        f"/section/{SECTION_I}/", bad_link_data(edition, submission), follow=True
    )
    text = page(response)
    assert "Saved, 1 answer needs attention" in text
    assert "Saved at" not in text


def test_field_problems_autosave_answers_problem_codes_per_field(signed_in, edition, submission):
    response = signed_in.post(f"/section/{SECTION_I}/autosave", bad_link_data(edition, submission))
    problems = response.json()["problems"]
    assert problems == [
        {
            "question": "q1",
            "number": "1.",
            "code": "invalid",
            "message": f"Link 1: “{BAD_URL}” does not look like a web address.",
            "field": "id_q1-links-0-url",
            "error_id": "id_q1-links-0-url_error",
        }
    ]


def test_field_problems_autosave_fixed_value_answers_no_problem(signed_in, edition, submission):
    signed_in.post(f"/section/{SECTION_I}/autosave", bad_link_data(edition, submission))
    submission.refresh_from_db()
    fixed = section_data(
        edition.sections.get(code=SECTION_I),
        submission=submission,
        overrides=links_data("q1-links", [{"name": "Portal", "url": "https://my.gov.uz"}]),
    )
    response = signed_in.post(f"/section/{SECTION_I}/autosave", fixed)
    assert response.json()["problems"] == []


def test_field_problems_missing_answer_only_on_started_question(signed_in, edition, submission):
    data = section_data(
        edition.sections.get(code=SECTION_II),
        submission=submission,
        overrides={"q6-details-value": "Our strategy 2030"},
    )
    response = signed_in.post(f"/section/{SECTION_II}/autosave", data)
    problems = response.json()["problems"]
    # q6 started (details) without its Yes / No; q7, not started, is no problem yet.
    assert [(p["question"], p["code"], p["field"]) for p in problems] == [
        ("q6", "missing", "id_q6-answer-value_0")
    ]
    text = page(signed_in.get(f"/section/{SECTION_II}/"))
    # At q6's Yes / No and in the error summary; nowhere else.
    assert text.count("This needs an answer.") == 2
    assert re.search(r'id="id_q6-answer-value_error"[^>]*>\s*<p[^>]*><strong>This needs', text)
    assert 'href="#id_q6-answer-value_0"' in text

    ticked = section_data(
        edition.sections.get(code=SECTION_II),
        submission=submission.__class__.objects.get(pk=submission.pk),
        overrides={"q6-details-value": "Our strategy 2030", "q6-answer-value": "yes"},
    )
    response = signed_in.post(f"/section/{SECTION_II}/autosave", ticked)
    assert response.json()["problems"] == []


def test_field_problems_single_part_has_no_repeated_caption(signed_in, edition):
    text = page(signed_in.get(f"/section/{SECTION_II}/"))
    q6 = text[text.index('id="question-q6"') : text.index('id="question-q7"')]
    # The Yes / No is labelled by the question; no "Answer" caption over an "Answer" legend.
    assert len(re.findall(r">\s*Answer\s*<", q6)) <= 1
    assert "Details and comments" in q6


def test_field_problems_overview_numbers_sections_once(signed_in, edition):
    text = page(signed_in.get("/"))
    assert "list-group-numbered" not in text
    assert "I. " in text


def test_field_problems_save_with_bad_value_opens_page_at_summary(signed_in, edition, submission):
    response = signed_in.post(f"/section/{SECTION_I}/", bad_link_data(edition, submission))
    assert response["Location"] == f"/section/{SECTION_I}/#error-summary"


def test_field_problems_continue_with_bad_value_names_the_section(signed_in, edition, submission):
    data = {**bad_link_data(edition, submission), "action": "continue"}
    response = signed_in.post(f"/section/{SECTION_I}/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/section/{SECTION_II}/"
    assert "Saved, 1 answer in section I needs attention" in page(response)
