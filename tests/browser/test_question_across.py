"""One question across countries in chromium: q15's counts per choice match the data, the page
fits 1280 px without a horizontal scroll, and axe finds nothing serious at 1280 and 390 px."""

import pytest
from playwright.sync_api import expect

from accounts.models import Country
from questionnaire.models import Submission
from tests.browser.conftest import PROJECT_ROOT, audit
from tests.factories import submission_full

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DOCS_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
LONG_TEXT = (
    "The National AI Strategy 2021-2025 covers public services, health and agriculture; "
    "its action plan is reviewed every year by the Ministry of Digital Technologies. "
) * 3 + "https://a-very-long-address.gov.example/strategies/artificial-intelligence/2021-2025/plan"


def _q15(selected, *, other="", details="", links=()):
    return {
        "q15": {
            "answer": {"selected": selected, "other": other},
            "details": details,
            "links": list(links),
        }
    }


@pytest.fixture
def q15_answers(edition):
    """Six countries of three regions answered q15; the expected count of each choice."""
    answers = {
        # Albania and Armenia come first in the world's and in Asia's lists: the screenshots.
        "ALB": _q15(
            ["ai", "big_data", "smart_cities"],
            details=LONG_TEXT,
            links=[{"name": "AI strategy", "url": "https://ai.gov.al/strategy", "note": ""}],
        ),
        "ARM": _q15(
            ["ai", "blockchain", "other"],
            other="Digital identity on mobile phones",
            links=[{"name": "Digitalization strategy", "url": "https://www.gov.am/digital"}],
        ),
        "UZB": _q15(["ai", "big_data"]),
        "KAZ": _q15(["ai", "blockchain"], details="<script>alert(1)</script>"),
        "FRA": _q15(["ai", "quantum_computing"]),
        "DEU": _q15(["ai", "other"], other="Digital twins — 数字孪生"),
        "BRA": _q15(["blockchain"]),
        "EGY": _q15(["ai", "iot"], links=[{"name": "Trap", "url": "javascript:alert(1)"}]),
    }
    statuses = [Submission.Status.SUBMITTED, Submission.Status.ACCEPTED]
    for index, (iso3, values) in enumerate(answers.items()):
        submission_full(
            edition=edition,
            country=Country.objects.get(iso3=iso3),
            status=statuses[index % 2],
            values=values,
        )
    return answers


def _expected(answers, *, region=""):
    """{choice: number of countries (of `region`) that picked it}."""
    regions = dict(Country.objects.values_list("iso3", "region"))
    expected: dict[str, int] = {}
    for iso3, values in answers.items():
        if region and regions[iso3] != region:
            continue
        for code in values["q15"]["answer"]["selected"]:
            expected[code] = expected.get(code, 0) + 1
    return expected


def _docs_screenshot(page, name: str, height: int) -> None:
    """The top of the page (the whole one is in test-output/screenshots) for the README."""
    width = page.viewport_size["width"]
    page.screenshot(
        path=str(DOCS_SCREENSHOTS / f"{name}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_question_across_q15_counts_match_the_data(contexts, reviewer, q15_answers):
    page = contexts.page(user=reviewer)
    page.goto("/staff/questions/q15/")

    counts = page.locator("table.question-counts tbody tr")
    expect(counts).to_have_count(10)
    for code, count in _expected(q15_answers).items():
        expect(page.locator(f'tr[data-choice="{code}"] td.count')).to_have_text(str(count))
    expect(page.locator('tr[data-choice="robotics"] td.count')).to_have_text("0")
    expect(page.locator("table.question-across-table tbody tr")).to_have_count(193)
    expect(page.locator("#country-KAZ")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#country-EGY a", has_text="javascript:")).to_have_count(0)
    assert _page_width(page) <= 1280
    audit(page, "question-across-desktop")
    _docs_screenshot(page, "question-across-desktop", 1700)

    # Filtered by region without JavaScript's help: a plain GET form.
    page.get_by_label("UN region").select_option("Europe")
    page.get_by_role("button", name="Show").click()
    europe = _expected(q15_answers, region="Europe")
    expect(page.locator('tr[data-choice="ai"] td.count')).to_have_text(str(europe["ai"]))
    expect(page.locator("#country-FRA")).to_be_visible()
    expect(page.locator("#country-UZB")).to_have_count(0)


def test_question_across_on_a_phone_scrolls_the_table_in_its_box(contexts, reviewer, q15_answers):
    page = contexts.page(user=reviewer)
    page.set_viewport_size(PHONE)
    page.goto("/staff/questions/q15/?region=Asia")

    asia = _expected(q15_answers, region="Asia")
    expect(page.locator('tr[data-choice="ai"] td.count')).to_have_text(str(asia["ai"]))
    assert _page_width(page) <= PHONE["width"]
    audit(page, "question-across-phone")
    _docs_screenshot(page, "question-across-phone", 2400)


def test_question_index_lists_questions(contexts, reviewer, edition):
    page = contexts.page(user=reviewer)
    page.goto("/staff/questions/")
    page.get_by_role("link", name="q15", exact=False).first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("q15")
    audit(page, "question-index")
