"""Officials see each link's last check beside it, and the summary on the review page."""

import pytest
from playwright.sync_api import expect

from linkcheck.services import submission_links_check
from questionnaire.filling.services import answers_save, submission_get_or_create
from tests.browser.conftest import audit
from tests.linkcheck.servers import LocalServer

pytestmark = pytest.mark.browser


@pytest.fixture
def checked_links(settings, edition, country_a, focal_point):
    """Two links of section I checked against a local server: one answers, one is missing."""
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    settings.LINKCHECK_HOST_INTERVAL_SECONDS = 0
    server = LocalServer()
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    urls = [server.url("/ok"), server.url("/missing")]
    answers_save(
        submission=submission,
        user=focal_point,
        values={"q5i": {"links": [{"name": "Portal", "url": url, "note": ""} for url in urls]}},
        base_version=submission.version,
    )
    submission_links_check(submission_id=submission.pk)
    yield urls
    server.close()


def test_link_status_shows_beside_links_and_on_review_page(contexts, focal_point, checked_links):
    page = contexts.page(user=focal_point)
    page.goto("/section/institutional-framework/")
    statuses = page.locator("#question-q5i .link-status")
    expect(statuses.nth(0)).to_have_text("✓ Link check: reachable")
    expect(statuses.nth(1)).to_contain_text("not found: the page was not found (HTTP 404)")

    page.goto("/review/")
    expect(page.locator("#links-summary")).to_contain_text("1 reachable")
    expect(page.locator("#links-summary")).to_contain_text("1 not found")
    expect(page.locator("#ro-question-q5i .link-status").nth(1)).to_contain_text("not found")
    audit(page, "review-links")
    page.get_by_label("I confirm this link is correct").check()
    page.get_by_role("button", name="Record my confirmation").click()
    expect(page.locator("#links")).to_contain_text("Confirmed correct.")
    expect(page.locator("#ro-question-q5i .link-status").nth(1)).to_contain_text(
        "confirmed correct"
    )
