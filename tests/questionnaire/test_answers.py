"""What blocks submission of a typed answer: the checks the review page and submit apply."""

import pytest

from questionnaire.answers import question_problems, submission_problems
from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.kinds import get_kind


def problems_for(edition, code: str, part_name: str, raw) -> list[str]:
    """The problems of question `code` with one part posted as `raw` (through its kind)."""
    question = edition.questions.get(code=code)
    part = next(part for part in question.parts if part["name"] == part_name)
    value = get_kind(part["kind"]).coerce(raw, part)
    return [str(problem) for problem in question_problems(question, {code: {part_name: value}})]


# --- Links ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["q1", "q3"])
@pytest.mark.parametrize("url", ["http://", "http://.", "http://-", "http://gov.uz:99999/"])
def test_link_without_a_host_blocks_a_required_question(edition, code, url):
    problems = problems_for(edition, code, "links", [{"name": "Portal", "url": url}])
    assert problems == [f"Link 1: “{url}” does not look like a web address."]


@pytest.mark.parametrize(
    "url", ["www.ek.uz", "gov.uz/ru#!/welcome", "президент.рф", "https://my.gov.uz:8443/"]
)
def test_link_as_officials_type_it_satisfies_a_required_question(edition, url):
    assert problems_for(edition, "q1", "links", [{"name": "Portal", "url": url}]) == []


# --- Percentages ---------------------------------------------------------------------------

NOT_A_NUMBER = "is not a number: write it with the digits 0 to 9 and at most one decimal mark"
AMBIGUOUS = "could be read with a thousands separator or with three decimals"
OUT_OF_RANGE = "is out of range: a percentage is between 0 and 100."


@pytest.mark.parametrize(
    "typed",
    [
        *("0", "2.2", "45,5", " 50 ", "50%", "50 %", ".5", "0,125", "99.99", "100", "100.0"),
        # Three decimals can only be decimals here: as thousands they would be out of range.
        *("007", "12.375", "1,125", "99.999", "12.500"),
    ],
)
def test_percentage_plain_decimal_is_accepted(edition, typed):
    assert problems_for(edition, "q17", "answer", {"value": typed}) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,000", AMBIGUOUS),
        ("100.000", AMBIGUOUS),
        ("1.000,5", NOT_A_NUMBER),
        ("1e2", NOT_A_NUMBER),
        ("1_0", NOT_A_NUMBER),
        ("nan", NOT_A_NUMBER),
        ("inf", NOT_A_NUMBER),
        ("infinity", NOT_A_NUMBER),
        ("\uff11\uff12", NOT_A_NUMBER),  # full-width digits: exports and spreadsheets need 0-9
        ("+5", NOT_A_NUMBER),
        ("5.", NOT_A_NUMBER),
        ("50%%", NOT_A_NUMBER),
        ("%", NOT_A_NUMBER),
        ("about half", NOT_A_NUMBER),
        ("-0", OUT_OF_RANGE),
        ("-5", OUT_OF_RANGE),
        ("100.01", OUT_OF_RANGE),
        ("101", OUT_OF_RANGE),
    ],
)
def test_percentage_not_a_plain_decimal_is_a_problem(edition, typed, expected):
    problems = problems_for(edition, "q17", "answer", {"value": typed})
    assert len(problems) == 1
    assert problems[0].startswith(f"“{typed.strip()}”")
    assert expected in problems[0]


def test_percentage_refused_value_is_kept_as_typed_and_blocks_submit(
    edition, country_a, focal_point
):
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    answers_save(
        submission=submission,
        user=focal_point,
        values={"q17": {"answer": {"value": "1,000", "comment": "of 12,000 users"}}},
        base_version=submission.version,
    )
    stored = submission.answers.get(question__code="q17").value
    assert stored == {"answer": {"value": "1,000", "comment": "of 12,000 users"}}
    problems = submission_problems(edition.questions.all(), {"q17": stored})
    assert AMBIGUOUS in str(problems["q17"][0])
