# ruff: noqa: RUF001 - Cyrillic and Arabic answers are the point of these tests
"""The whole journey of a country's answers, in chromium against the live server.

A reviewer invites an official, who sets a password from the e-mailed link,
fills every section of the MSQ 2020, leaves mid-section and comes back,
gives the authorization and submits in one action, downloads the PDF; the
reviewer returns it with a comment on one question, the official sees the comment there, edits and
resubmits; the reviewer accepts and exports the XLSX. Every page is checked
with axe and screenshotted (test-output/screenshots/journey-*.png).
"""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from accounts.models import User
from questionnaire.models import Answer, Submission
from tests.browser.conftest import audit, label
from tests.browser.filling import (
    choose,
    fill_contact,
    fill_links,
    fill_percentage,
    fill_text,
    part,
    remove_link,
    save_and_continue,
    visible_rows,
    wait_autosaved,
)
from tests.conftest import wait_for

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Samarkand-Registan-1370"
OFFICIAL_EMAIL = "m.karimov@egov.uz"
INVITE_LINK_RE = re.compile(r"https?://\S+/accounts/invitation/\S+/")


def invite_official(reviewer_page: Page, *, email: str, country_name: str) -> str:
    """The reviewer sends an invitation; returns the link from the e-mail it sent."""
    reviewer_page.goto("/accounts/invite/")
    audit(reviewer_page, "journey-01-invite")
    reviewer_page.get_by_label(label("E-mail address")).fill(email)
    reviewer_page.get_by_label(label("Country")).select_option(label=country_name)
    reviewer_page.get_by_label(label("Role")).select_option(label="Focal point")
    reviewer_page.get_by_role("button", name="Send the invitation").click()
    expect(reviewer_page.get_by_role("status")).to_contain_text(f"Invitation sent to {email}")
    expect(reviewer_page.get_by_role("cell", name=email)).to_be_visible()

    invitations = [message for message in mail.outbox if email in message.to]
    assert len(invitations) == 1, [message.subject for message in mail.outbox]
    return INVITE_LINK_RE.search(invitations[0].body).group(0)


def accept_invitation(context: BrowserContext, *, link: str, full_name: str) -> Page:
    """The invitee opens the link, chooses a password and lands on the country overview."""
    page = context.new_page()
    page.goto(link)
    audit(page, "journey-02-accept-invitation")
    page.get_by_label("Your full name").fill(full_name)
    page.get_by_label(label("New password")).fill(NEW_PASSWORD)
    page.get_by_label(label("New password confirmation")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome. Your account is ready.")).to_be_visible()
    return page


# What the official types, reused to check the PDF and the XLSX.
PORTAL_RU = "Единый портал интерактивных государственных услуг"
STRATEGY_RU = "Стратегия действий по пяти приоритетным направлениям развития 2017–2021"
SOCIAL_MEDIA = (
    "Министерства ведут Telegram-каналы; руководство для госслужащих утверждено в 2019 году. "
    "تستخدم الحكومة وسائل التواصل الاجتماعي للتواصل مع المواطنين"
)
CONTACT_EMAILS = "cio@mitc.uz, s.shermatov@mitc.uz\ninfo@gov.uz"
COOPERATION = "Участник программы ЕЭК ООН и ESCAP по электронному правительству"
COMMENT = "Please add the guidelines for officials on social media (name and URL)."
GUIDELINES_URL = "https://lex.uz/docs/4396419"
REVISION = " Guidelines: Постановление № 555."


def fill_institutional_framework(page: Page, contexts_page_overview) -> None:
    """Section I, left in the middle (after autosave) and resumed from the overview."""
    fill_links(
        page,
        "q1",
        [
            (PORTAL_RU, "my.gov.uz", ""),
            ("Government portal", "https://gov.uz/ru#!/welcome", "main portal"),
            ("Temporary mirror", "temp.example.uz", ""),
        ],
    )
    remove_link(page, "q1", 2)
    expect(visible_rows(page, "q1")).to_have_count(2)
    fill_links(
        page,
        "q2a",
        [("E-services", "https://my.gov.uz/oz/services?q=%D0%BF%D0%B0%D1%81%D0%BF", "")],
    )
    wait_autosaved(page)

    # Leave mid-section, without pressing Save: the overview shows it started.
    page.get_by_role("link", name="MSQ Portal").click()
    expect(page.locator(".section-card").first).not_to_contain_text("Not started")
    contexts_page_overview(page)
    page.get_by_role("link", name="I. Institutional Framework").click()
    expect(visible_rows(page, "q1")).to_have_count(2)
    expect(visible_rows(page, "q1").nth(0).get_by_label("Name", exact=True)).to_have_value(
        PORTAL_RU
    )
    expect(visible_rows(page, "q2a").nth(0).get_by_label("URL", exact=True)).to_have_value(
        "https://my.gov.uz/oz/services?q=%D0%BF%D0%B0%D1%81%D0%BF"
    )

    fill_links(
        page,
        "q3",
        [("Министерство по развитию информационных технологий и коммуникаций", "www.mitc.uz", "")],
    )
    # The CIO contact appears only once "Yes" is chosen.
    expect(part(page, "q4", "contact")).to_be_hidden()
    choose(page, "q4", "Yes")
    expect(part(page, "q4", "contact")).to_be_visible()
    fill_contact(
        page,
        "q4",
        {
            "name": "Шерзод Шерматов",
            "title": "Minister",
            "organization": "MITC",
            "emails": CONTACT_EMAILS,
            "phone": "+998 71 238 41 00",
        },
    )
    fill_links(page, "q5b", [("Ministry of Public Education", "uzedu.uz", "")])
    audit(page, "journey-04-section-1")
    save_and_continue(page, "Section II.")


def fill_remaining_sections(page: Page) -> None:
    choose(page, "q6", "Yes")
    fill_text(page, "q6", STRATEGY_RU)
    fill_links(page, "q6", [("Указ Президента УП-4947", "https://lex.uz/docs/3107036", "")])
    choose(page, "q7", "Yes")
    fill_text(page, "q7", "Digital Uzbekistan 2030")
    choose(page, "q8", "has an implementation plan.")
    choose(page, "q8", "has an emphasis on once-only (data) principle")
    audit(page, "journey-05-section-2")
    save_and_continue(page, "Section III.")

    choose(page, "q9", "personal data protection including digital security")
    choose(page, "q9", "digital identity")
    fill_links(page, "q9", [("Закон о персональных данных", GUIDELINES_URL, "2019")])
    audit(page, "journey-05b-section-3")
    save_and_continue(page, "Section IV.")

    # A conditional question: 11 is asked only when 10 is "Yes".
    expect(page.locator("#question-q11")).to_be_hidden()
    choose(page, "q10", "Yes")
    expect(page.locator("#question-q11")).to_be_visible()
    fill_text(page, "q11", "Статистика публикуется ежеквартально")
    audit(page, "journey-06-section-4")
    save_and_continue(page, "Section V.")

    choose(page, "q12", "No")
    expect(page.locator("#question-q13")).to_be_hidden()
    audit(page, "journey-06b-section-5")
    save_and_continue(page, "Section VI.")

    fill_text(page, "q14", SOCIAL_MEDIA)
    fill_links(page, "q14", [("Telegram", "https://t.me/egov_uz", "")])
    audit(page, "journey-06c-section-6")
    save_and_continue(page, "Section VII.")

    choose(page, "q15", "Artificial Intelligence (AI)")
    choose(page, "q15", "Other:")
    part(page, "q15", "answer").locator("[name='q15-answer-other']").fill("Цифровые двойники")
    fill_links(page, "q16", [("IT Park", "https://it-park.uz", "")])
    audit(page, "journey-06d-section-7")
    save_and_continue(page, "Section VIII.")

    fill_percentage(page, "q17", "85.5", "85% (exception: service staff)")
    fill_percentage(page, "q18", "2,2")
    audit(page, "journey-07-section-8")
    save_and_continue(page, "Section IX.")

    fill_text(page, "q22", COOPERATION)
    fill_text(page, "q23", "Yes, to Tajikistan and Kyrgyzstan.")
    audit(page, "journey-07b-section-9")
    save_and_continue(page, "Section X.")

    fill_contact(
        page,
        "x_contact",
        {
            "name": "Мухаммад Каримов",
            "title": "Head of e-government department",
            "organization": "MITC",
            "emails": "m.karimov@egov.uz; egov@mitc.uz",
        },
    )
    choose(page, "x1", "I am authorized and fully knowledgeable to respond to this questionnaire.")
    choose(page, "x2", "Directly from UN DESA")
    audit(page, "journey-08-section-10")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and submit")


def consent_and_submit(page: Page) -> None:
    # Every question is answered: nothing is left to fix, and the publication choice is
    # made in the submit form itself (one action, no separate "Record my choice").
    expect(page.locator("#submit-problems li")).to_have_count(0)
    expect(page.locator("#submit-ready")).to_be_visible()
    audit(page, "journey-09-review")
    expect(page.get_by_role("button", name="Record my choice")).to_have_count(0)
    form = page.locator("#submit-form")
    form.get_by_label("Yes, I/we authorize UNDESA to publish our responses.").check()
    form.get_by_role("button", name="Submit the questionnaire").click()
    expect(page.locator("#submission-status")).to_have_text("Submitted")
    audit(page, "journey-10-submitted")


def pdf_text(page: Page) -> str:
    """Download the submitted PDF from the official's submission page; its text."""
    page.goto("/submission/")
    link = page.get_by_role("link", name=re.compile(r"^Download the PDF of submission 1, sent on"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    # Named as the official counts submissions, with its date: never the save counter.
    assert re.fullmatch(
        r"MSQ-2020-UZB-submission-1-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename
    ), download.suggested_filename
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    return "\n".join(page_.extract_text() for page_ in reader.pages)


def review_url(submission: Submission) -> str:
    return f"/admin/questionnaire/submission/{submission.pk}/change/"


def reviewer_returns_with_comment(page: Page, submission: Submission) -> None:
    page.goto(review_url(submission))
    audit(page, "journey-11-review-console")
    # A question's comment box opens on demand.
    page.locator("#q-q14").get_by_text("Comment on question 14.", exact=True).click()
    page.get_by_label("Your comment on question 14.").fill(COMMENT)
    page.get_by_role("button", name="Return to the country with these comments").click()
    expect(page.locator(".messagelist")).to_contain_text("Returned to Uzbekistan")


def official_revises_and_resubmits(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#submission-status")).to_have_text("Returned for revision")
    audit(page, "journey-12-overview-returned")
    page.get_by_role("link", name="VI. Social Media").click()
    comments = page.locator("#question-q14").get_by_role("complementary")
    expect(comments).to_contain_text(COMMENT)
    audit(page, "journey-13-section-with-comment")
    fill_text(page, "q14", SOCIAL_MEDIA + REVISION)
    fill_links(
        page, "q14", [("Telegram", "https://t.me/egov_uz", ""), ("Guidelines", GUIDELINES_URL, "")]
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved at")
    page.goto("/review/")
    expect(page.locator("#submit-ready")).to_be_visible()
    page.get_by_role("button", name="Submit the questionnaire").click()
    expect(page.locator("#submission-status")).to_have_text("Submitted")


def reviewer_accepts_and_exports_xlsx(page: Page, submission: Submission) -> bytes:
    page.goto(review_url(submission))
    page.get_by_label("I have read these answers and accept them as final").check()
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("accepted")
    page.goto("/admin/questionnaire/submission/")
    audit(page, "journey-14-submissions-list")
    page.locator("#action-toggle").check()
    page.get_by_label("Action:").select_option(value="export_wide_xlsx")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Go", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    return Path(download.path()).read_bytes()


def xlsx_cells(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


def xlsx_first_row(data: bytes) -> dict:
    """The first country's row of the wide XLSX, by column name."""
    header, row = list(load_workbook(io.BytesIO(data), read_only=True)["answers"].values)[:2]
    return dict(zip(header, row, strict=True))


def test_journey_invitation_to_accepted_export(
    contexts, reviewer, edition, country_a, celery_worker_process
):
    reviewer_page = contexts.page(user=reviewer)
    link = invite_official(reviewer_page, email=OFFICIAL_EMAIL, country_name=country_a.name)

    page = accept_invitation(contexts.new(), link=link, full_name="Мухаммад Каримов")
    expect(page.get_by_role("heading", level=1)).to_have_text(edition.title)
    audit(page, "journey-03-overview")
    official = User.objects.get(email=OFFICIAL_EMAIL)
    assert (official.country, official.role) == (country_a, User.Role.FOCAL_POINT)

    page.get_by_role("link", name="I. Institutional Framework").click()
    fill_institutional_framework(page, lambda p: audit(p, "journey-03b-overview-started"))
    fill_remaining_sections(page)
    consent_and_submit(page)

    submission = Submission.objects.get(country=country_a, edition=edition)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.consent == Submission.Consent.GRANTED
    stored = {a.question.code: a.value for a in Answer.objects.filter(submission=submission)}
    assert [row["url"] for row in stored["q1"]["links"]] == [
        "my.gov.uz",
        "https://gov.uz/ru#!/welcome",
    ]
    assert stored["q4"]["contact"]["emails"] == [
        "cio@mitc.uz",
        "s.shermatov@mitc.uz",
        "info@gov.uz",
    ]
    assert stored["q14"]["details"] == SOCIAL_MEDIA
    assert "q13" not in stored

    # The PDF is rendered after the submission commits (in-process, or by the worker).
    rendered = Submission.objects.filter(pk=submission.pk, pdf_version__isnull=False)
    wait_for(rendered.exists)
    text = pdf_text(page)
    # Table cells wrap long answers over lines: compare with whitespace collapsed.
    flat = " ".join(text.split())
    for expected in (
        PORTAL_RU,
        "my.gov.uz",
        "cio@mitc.uz; s.shermatov@mitc.uz; info@gov.uz",
        "Digital Uzbekistan 2030",
        "Telegram-каналы",
        "85.5",
        "Цифровые двойники",
    ):
        assert expected in flat, f"{expected!r} not in the PDF text:\n{text[:3000]}"

    # The reviewer returns it with a comment on question 14; the official revises.
    reviewer_returns_with_comment(reviewer_page, submission)
    official_revises_and_resubmits(page)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.review_comments.get().question.code == "q14"

    exported = reviewer_accepts_and_exports_xlsx(reviewer_page, submission)
    cells = xlsx_cells(exported)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    page.goto("/")
    expect(page.locator("#submission-status")).to_have_text("Accepted")
    audit(page, "journey-15-overview-accepted")
    assert "accepted" in cells
    # Each link's fields have columns of their own ("q1.links.link1.url"); texts are whole cells.
    assert SOCIAL_MEDIA + REVISION in cells
    assert COOPERATION in cells
    row = xlsx_first_row(exported)
    assert (row["q1.links.link1.name"], row["q1.links.link1.url"]) == (PORTAL_RU, "my.gov.uz")
    [q14_link2_url] = [name for name in row if re.fullmatch(r"q14\.\w+\.link2\.url", name)]
    assert row[q14_link2_url] == GUIDELINES_URL
