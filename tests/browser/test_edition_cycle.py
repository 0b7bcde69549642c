"""The next edition prefilled from the last, in chromium (issue 15).

Uzbekistan submits the MSQ 2020 (its PDF rendered); the example 2022 edition becomes the
current one; the focal point finds it prefilled from the 2020 answers, sees what was carried
over and the 2020 answers beside, confirms some by question and some by section, changes
others, answers the new questions and submits; the reviewer sees what changed per question
and exports the cross-edition CSV; the 2020 submission and its PDF are unchanged (checksum).
"""

import csv
import hashlib
import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from questionnaire.filling.submitting import submission_submit
from questionnaire.models import Submission
from questionnaire.pdf.services import pdf_read_verified
from tests.browser.conftest import audit
from tests.browser.filling import choose, fill_links, fill_text, wait_autosaved
from tests.factories import submission_full
from tests.questionnaire.editions.helpers import example_edition_load, make_edition_current

pytestmark = [pytest.mark.browser, pytest.mark.pdf]

SECTION_I = "/section/institutional-framework/"
SECTION_II = "/section/strategy-and-implementation/"
NEW_STRATEGY = "Digital Uzbekistan 2030, adopted by presidential decree in October 2020"


def submitted_2020(edition, country, focal_point) -> Submission:
    """Uzbekistan's 2020 answers, submitted by the focal point (the PDF rendered in-process,
    or by the worker)."""
    draft = submission_full(
        edition=edition, country=country, status=Submission.Status.DRAFT, submitted_by=focal_point
    )
    return submission_submit(submission=draft, user=focal_point)


def confirm_every_section(page: Page) -> None:
    """One click per section with answers still to confirm, from the overview's links."""
    page.goto("/")
    sections = [
        link.get_attribute("href")
        for link in page.locator(".section-card")
        .filter(has=page.locator(".carried-waiting-count"))
        .get_by_role("link")
        .all()
    ]
    for url in sections:
        page.goto(url)
        page.get_by_role("button", name="Confirm all carried-over answers in this section").click()
        expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text(
            "confirmed"
        )


def test_edition_cycle_prefilled_confirmed_changed_submitted_and_compared(
    contexts, edition, country_a, focal_point, reviewer, settings, celery_worker_process
):
    first = submitted_2020(edition, country_a, focal_point)
    first_pdf = None

    def pdf_stored():
        nonlocal first_pdf
        first.refresh_from_db()
        first_pdf = pdf_read_verified(submission=first) if first.has_current_pdf else None
        return first_pdf

    from tests.conftest import wait_for

    wait_for(pdf_stored, timeout=120)
    pdf_sha = hashlib.sha256(first_pdf).hexdigest()
    answers_2020 = sorted(first.answers.values_list("question__code", "value", "updated_at"))
    row_2020 = Submission.objects.filter(pk=first.pk).values().get()

    example = example_edition_load()
    make_edition_current(example)

    # The focal point finds the 2022 example and starts from the 2020 answers.
    page = contexts.page(user=focal_point)
    page.goto("/")
    expect(page.get_by_role("heading", name="Start from your 2020 answers")).to_be_visible()
    page.get_by_role("button", name="Start with my 2020 answers").click()
    expect(page.locator(".alert-success")).to_contain_text("38 answers were carried over")
    expect(page.locator("#carried-waiting")).to_contain_text("38 answers carried over")
    audit(page, "edition-cycle-01-overview")

    # Section I: what was carried over, the 2020 answer beside; one confirmed by one click.
    page.goto(SECTION_I)
    q1 = page.locator("#question-q1")
    expect(q1.get_by_text("Carried over from 2020 — confirm or change")).to_be_visible()
    q1.locator(".previous-answer > summary").click()
    expect(q1.locator(".previous-value")).to_contain_text("my.gov.uz/q1/services")
    q1.get_by_role("button", name="Confirm the answer to question 1.").click()
    expect(
        page.locator("#question-q1").get_by_text("Carried over from 2020 — confirmed")
    ).to_be_visible()
    # A change confirms too: q3 gets a new ministry (autosaved).
    fill_links(page, "q3", [("Ministry of Digital Technologies", "https://digital.uz/", "")])
    wait_autosaved(page)
    audit(page, "edition-cycle-02-section-i")

    # Section II: the strategy's text changes; the reload shows it changed, 2020's beside.
    page.goto(SECTION_II)
    fill_text(page, "q6", NEW_STRATEGY)
    page.get_by_role("button", name="Save draft").click()
    q6 = page.locator("#question-q6")
    expect(q6.get_by_text("Carried over from 2020 — changed")).to_be_visible()
    q6.locator(".previous-answer > summary").click()
    expect(q6.locator(".previous-changes")).to_contain_text(NEW_STRATEGY)

    # The rest, one click per section; then the two new questions.
    confirm_every_section(page)
    page.goto("/section/new-technologies/")
    choose(page, "q25", "Yes")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved")

    page.goto("/review/")
    expect(page.locator("#submit-problems li")).to_have_count(0)
    form = page.locator("#submit-form")
    form.get_by_label("Yes, I/we authorize UNDESA to publish our responses.").check()
    form.get_by_role("button", name="Submit the questionnaire").click()
    expect(page.locator("#submission-status")).to_have_text("Submitted")
    second = Submission.objects.get(edition=example, country=country_a)
    assert second.status == Submission.Status.SUBMITTED

    # The reviewer sees what changed per question.
    reviewer_page = contexts.page(user=reviewer)
    reviewer_page.goto(reverse("admin:questionnaire_submission_change", args=[second.pk]))
    carried = reviewer_page.locator(".review-carried")
    expect(carried).to_contain_text("Every answer carried over has been confirmed or changed")
    expect(carried).to_contain_text("2 questions changed since the previous edition")
    changed_rows = carried.locator("tbody tr")
    expect(changed_rows.filter(has_text="(q6)")).to_contain_text(NEW_STRATEGY)
    expect(changed_rows.filter(has_text="(q3)")).to_contain_text("https://digital.uz/")
    audit(reviewer_page, "edition-cycle-03-reviewer")

    # ... and exports the cross-edition CSV.
    reviewer_page.goto("/staff/exports/")
    reviewer_page.get_by_label("Edition").select_option(label=example.title)
    reviewer_page.get_by_label("Format").select_option(value="cross_edition_csv")
    reviewer_page.get_by_role("button", name="Start the export").click()
    download_link = reviewer_page.get_by_role("link", name="Download the file")
    expect(download_link).to_be_visible(timeout=60_000)
    with reviewer_page.expect_download() as download_info:
        download_link.click()
    content = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    strategy = {
        row["edition"]: row["value"]
        for row in rows
        if row["lineage_key"] == "msq-2020/q6/details" and row["country_iso3"] == "UZB"
    }
    assert strategy["msq-2022-example"] == NEW_STRATEGY
    assert strategy["msq-2020"] == first.answers.get(question__code="q6").value["details"]

    # The 2020 submission and its PDF are as they were, and still readable.
    assert Submission.objects.filter(pk=first.pk).values().get() == row_2020
    assert (
        sorted(first.answers.values_list("question__code", "value", "updated_at")) == answers_2020
    )
    with page.expect_download() as pdf_download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.click(); }",
            reverse("questionnaire:submission_pdf", args=[first.pk]),
        )
    downloaded = Path(pdf_download.value.path()).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == pdf_sha
