"""The reviewers' own pages, in chromium: the response-rate dashboard and a full export job
whose page follows the Celery job's progress (static/js/admin-export-progress.js) until the
file can be downloaded."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import audit
from tests.factories import submission_full

pytestmark = pytest.mark.browser


def test_dashboard_shows_response_rates(contexts, reviewer, edition, country_a, focal_point):
    submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    page = contexts.page(user=reviewer)
    page.goto("/staff/dashboard/")
    expect(page.locator("#content-main")).to_contain_text("Asia")
    audit(page, "staff-dashboard")


def test_full_export_job_page_follows_progress_to_download(
    contexts, reviewer, edition, country_a, country_b, focal_point, outsider, celery_worker_process
):
    submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    submission_full(edition=edition, country=country_b, submitted_by=outsider)
    page = contexts.page(user=reviewer)
    page.goto("/staff/exports/")
    audit(page, "staff-exports")
    page.get_by_label("Format").select_option(value="wide_xlsx")
    page.get_by_role("button", name="Start the export").click()

    # Done in-process at once, or by the worker while the page polls its status.
    download_link = page.get_by_role("link", name="Download the file")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("#export-status-label")).to_have_text("Ready")
    audit(page, "staff-export-job-done")
    with page.expect_download() as download_info:
        download_link.click()
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    countries = {row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert countries == {"UZB", "FRA"}
