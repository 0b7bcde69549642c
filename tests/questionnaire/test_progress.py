"""Progress and section states: every page that shows them agrees (questionnaire.progress)."""

import re

import pytest
from django.urls import reverse

from questionnaire.models import Submission
from questionnaire.progress import SectionState
from tests.factories import answers_full, submission_full

OVERVIEW = reverse("questionnaire:home")
SUBMISSIONS_LIST = reverse("questionnaire:staff_submissions")
DASHBOARD = reverse("questionnaire:staff_dashboard")


def _overview(client, official) -> dict:
    client.force_login(official)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    done, total = response.context["progress_done"], response.context["progress_total"]
    assert f"{done} of {total} questions answered" in page
    states = {item["section"].code: item["state"] for item in response.context["sections"]}
    for item in response.context["sections"]:
        assert f'state-{item["state"]}">{item["state_label"]}</span>' in page
    return {"percent": done * 100 // total, "states": states}


def _review_page(client, reviewer, submission) -> dict:
    client.force_login(reviewer)
    url = reverse("admin:questionnaire_submission_change", args=[submission.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    percent = response.context["progress"].percent
    assert f'<dd class="review-progress">{percent} %</dd>' in page
    states = {item["section"].code: item["state"] for item in response.context["sections"]}
    for item in response.context["sections"]:
        assert f'state-{item["state"]}">{item["state_label"]}</span>' in page
    return {"percent": percent, "states": states}


def _list_percent(client, reviewer, submission) -> int:
    client.force_login(reviewer)
    page = client.get(SUBMISSIONS_LIST).content.decode()
    row = page.split(f'id="country-{submission.country.iso3}"')[1].split("</tr>")[0]
    return int(re.search(r'class="list-percent">(\d+) %<', row).group(1))


def _dashboard_percent(client, reviewer, submission) -> int:
    client.force_login(reviewer)
    response = client.get(DASHBOARD)
    item = next(item for item in response.context["waiting"] if item.country == submission.country)
    assert f'<td class="review-progress">{item.progress_percent} %</td>' in (
        response.content.decode()
    )
    return item.progress_percent


def _everywhere(client, official, reviewer, submission) -> list[dict]:
    overview = _overview(client, official)
    review = _review_page(client, reviewer, submission)
    return [
        overview,
        review,
        {"percent": _list_percent(client, reviewer, submission), "states": None},
        {"percent": _dashboard_percent(client, reviewer, submission), "states": None},
    ]


@pytest.fixture
def draft_full(edition, country_a):
    return submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)


def test_progress_full_msq_is_100_and_complete_on_every_page(
    client, edition, draft_full, focal_point, reviewer
):
    pages = _everywhere(client, focal_point, reviewer, draft_full)

    assert [page["percent"] for page in pages] == [100, 100, 100, 100]
    for page in pages[:2]:
        assert set(page["states"].values()) == {SectionState.COMPLETE}
        assert len(page["states"]) == edition.sections.count()


def test_progress_half_filled_draft_agrees_on_every_page(
    client, edition, country_a, focal_point, reviewer
):
    values = answers_full(edition)
    # The first half of the sections answered in full, the others not started.
    sections = list(edition.sections.order_by("order"))
    first_half = sections[: len(sections) // 2]
    half = {
        question.code: values[question.code]
        for question in edition.questions.filter(section__in=first_half)
    }
    # One answer with a problem (a web address that is not one): not counted as answered.
    half["q1"] = {"links": [{"name": "Portal", "url": "not a web address", "note": ""}]}
    submission = submission_full(
        edition=edition, country=country_a, status=Submission.Status.DRAFT, values=half
    )

    pages = _everywhere(client, focal_point, reviewer, submission)

    percents = {page["percent"] for page in pages}
    assert len(percents) == 1, pages
    assert 0 < percents.pop() < 100
    overview, review = pages[0]["states"], pages[1]["states"]
    assert overview == review
    assert overview["institutional-framework"] == SectionState.HAS_PROBLEMS
    assert SectionState.COMPLETE in overview.values()
    assert SectionState.NOT_STARTED in overview.values()


def test_progress_on_the_dashboard_costs_the_same_queries_for_1_and_20_drafts(
    client, edition, reviewer, countries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Country

    values = answers_full(edition, links_per_question=1)
    many = list(Country.objects.order_by("iso3")[:20])
    submission_full(edition=edition, country=many[0], values=values, status="draft")
    client.force_login(reviewer)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as one:
        client.get(DASHBOARD)
    for country in many[1:]:
        submission_full(edition=edition, country=country, values=values, status="draft")
    with CaptureQueriesContext(connection) as twenty:
        client.get(DASHBOARD)

    assert len(twenty) == len(one)
