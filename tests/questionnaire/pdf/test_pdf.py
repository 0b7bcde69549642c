"""The submission PDF: what it prints, in which fonts, and what its renderer refuses to fetch."""

import datetime
import io
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from pypdf import PdfReader

from accounts.countries import countries_load
from accounts.models import Country
from questionnaire import tasks
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.kinds import get_kind
from questionnaire.models import Submission
from questionnaire.pdf.render import (
    html_to_pdf,
    needs_wide_fonts,
    static_file_for_url,
    submission_html,
    submission_pdf,
)
from questionnaire.selectors import submission_snapshot
from tests.factories import answers_full, submission_full

pytestmark = pytest.mark.django_db

ARABIC = "بوابة الخدمات الحكومية الإلكترونية"
CYRILLIC = "Единый портал интерактивных государственных услуг"
CHINESE = "国家政务服务平台"


def _squeeze(text: str) -> str:
    """Text without whitespace or bidi marks: line breaks fall anywhere in a PDF."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


def _pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _is_rtl(text: str) -> bool:
    return bool(re.search(r"[\u0590-\u08ff]", text))


def _rtl_words(text: str) -> list[str]:
    """The words of a right-to-left text: extraction keeps each word, not their visual order
    nor where the punctuation between runs of different directions goes."""
    return [word for word in re.split(r"[\s.,;:()]+", text) if word]


def _expected_texts(values: dict, edition) -> list[str]:
    """Every answer value of `values` as the PDF prints it."""
    expected = []
    for question in edition.questions.order_by("order"):
        for part in question.parts:
            value = values[question.code][part["name"]]
            for _field, text in get_kind(part["kind"]).flatten(value, part):
                expected.append({"yes": "Yes", "no": "No"}.get(text, text))
    return expected


@pytest.fixture(scope="module")
def full_pdf(django_db_setup, django_db_blocker):
    """A fully answered submission rendered once for the module: (PDF, questions, answer texts)."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Country.objects.exists():
            countries_load(country_model=Country)
        edition = edition_load(path=edition_path("msq-2020")).edition
        values = answers_full(edition)
        submission = submission_full(
            edition=edition, country=Country.objects.get(iso3="UZB"), values=values
        )
        # The first submission after 13 saves: the save counter is never what the PDF names.
        submission.version = submission.submitted_version = 14
        submission.submitted_at = datetime.datetime(2026, 11, 30, 9, 15, tzinfo=datetime.UTC)
        submission.save()
        content = submission_pdf(submission_snapshot(submission=submission))
        questions = list(edition.questions.order_by("order"))
        expected = _expected_texts(values, edition)
        transaction.set_rollback(True)
    return content, questions, expected


@pytest.mark.pdf
def test_pdf_text_contains_every_question_number_and_answer_value(full_pdf):
    content, questions, expected = full_pdf
    text = "\n".join(_pages_text(content))
    squeezed = _squeeze(text)
    for question in questions:
        printed = _squeeze(f"{question.number} {question.text}")
        assert printed in squeezed, question.code
        if question.group_number:
            assert _squeeze(f"{question.group_number} {question.group_text}") in squeezed
    missing = [
        value
        for value in expected
        if (
            any(word not in squeezed for word in _rtl_words(value))
            if _is_rtl(value)
            else _squeeze(value) not in squeezed
        )
    ]
    assert not missing
    assert len(expected) > 200


@pytest.mark.pdf
def test_pdf_arabic_cyrillic_and_chinese_survive_extraction(full_pdf):
    squeezed = _squeeze("\n".join(_pages_text(full_pdf[0])))
    assert _squeeze(CYRILLIC) in squeezed
    assert _squeeze(CHINESE) in squeezed
    assert all(word in squeezed for word in _rtl_words(ARABIC))


@pytest.mark.pdf
def test_pdf_fonts_are_all_embedded_noto(full_pdf, tmp_path):
    path = tmp_path / "full.pdf"
    path.write_bytes(full_pdf[0])
    rows = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    fonts = {row.split()[0].split("+", 1)[-1]: row for row in rows}
    assert {"Noto-Sans", "Noto-Sans-Arabic", "Noto-Sans-CJK-SC"} <= set(fonts)
    # Columns: name type encoding emb sub uni ...; "emb" must be yes for every font.
    not_embedded = [name for name, row in fonts.items() if row.split()[-5] != "yes"]
    assert not not_embedded


@pytest.mark.pdf
def test_pdf_has_title_author_language_and_page_numbers(full_pdf):
    content = full_pdf[0]
    reader = PdfReader(io.BytesIO(content))
    assert "Uzbekistan" in reader.metadata.title
    assert "Member States Questionnaire" in reader.metadata.title
    assert reader.metadata.author == "Republic of Uzbekistan"
    assert reader.metadata.creation_date is not None
    assert reader.trailer["/Root"]["/Lang"] == "en"
    pages = _pages_text(content)
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in text
        assert "Uzbekistan" in text
        assert "Submission 1 of 30 November 2026" in text
        assert "version 14" not in text.lower()
        assert "DRAFT" not in text
    assert "version" not in reader.metadata["/Subject"].lower()
    assert reader.metadata["/Subject"] == (
        "Answers of Uzbekistan, submission 1 of 30 November 2026"
    )


@pytest.mark.pdf
def test_pdf_cover_shows_country_submission_date_and_consent(full_pdf):
    cover = _pages_text(full_pdf[0])[0]
    assert "Republic of Uzbekistan (UZB)" in cover
    assert "Date of submission" in cover
    assert "Submission number 1" in cover
    assert "Version" not in cover
    assert "Authorized to publish" in cover
    assert "I/We hereby authorize UNDESA" in cover


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 that redirects /redirect and serves a secret; counts hits."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            body = b"LEAKED-SECRET-BYTES"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


@pytest.mark.pdf
def test_fetcher_refuses_file_metadata_host_and_redirect(local_server):
    base, hits = local_server
    html = f"""<html><head>
      <link rel="stylesheet" href="static/css/pdf.css">
      <link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
      <link rel="stylesheet" href="{base}/secret.css">
      </head><body><p>Visible text</p>
      <img src="file:///etc/passwd" alt="">
      <img src="{base}/redirect" alt="">
      <img src="static/../../../../etc/passwd" alt="">
      <object data="file:///etc/passwd"></object>
      <iframe src="http://169.254.169.254/"></iframe>
      </body></html>"""
    rendered = html_to_pdf(html)
    assert hits == []
    assert "file:///etc/passwd" in rendered.refused
    assert "http://169.254.169.254/latest/meta-data/" in rendered.refused
    assert f"{base}/redirect" in rendered.refused
    assert f"{base}/secret.css" in rendered.refused
    assert b"LEAKED" not in rendered.content
    text = "\n".join(_pages_text(rendered.content))
    assert "Visible text" in text
    assert "root:" not in text


def test_fetcher_serves_the_pdf_stylesheet_and_nothing_outside_static():
    assert static_file_for_url("https://msq-portal.invalid/static/css/pdf.css").name == "pdf.css"
    for url in (
        "https://msq-portal.invalid/static/../settings.py",
        "https://msq-portal.invalid/static/%2e%2e/msq_portal/settings.py",
        "https://msq-portal.invalid/static//etc/passwd",
        "https://msq-portal.invalid/static/css/pdf.css?x=1",
        "https://msq-portal.invalid/manage.py",
        "https://other.example/static/css/pdf.css",
        "file:///work/main/static/css/pdf.css",
        "data:text/css,body{}",
    ):
        assert static_file_for_url(url) is None, url


def _one_question_submission(edition, country, values):
    """A submission answering only `values` (small, so that it renders fast)."""
    return submission_full(edition=edition, country=country, values=values)


@pytest.mark.pdf
def test_pdf_prints_html_and_script_answers_as_literal_text(edition, country_a):
    hostile = "<script>alert('x')</script><img src=\"http://169.254.169.254/\"> & <b>bold</b>"
    submission = _one_question_submission(
        edition,
        country_a,
        {
            "q14": {"details": hostile, "links": []},
            "q1": {"links": [{"name": "<i>Portal</i>", "url": "javascript:alert(1)", "note": ""}]},
        },
    )
    html = submission_html(submission_snapshot(submission=submission), draft=False)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    rendered = html_to_pdf(html)
    assert rendered.refused == []
    squeezed = _squeeze("\n".join(_pages_text(rendered.content)))
    assert _squeeze(hostile) in squeezed
    assert _squeeze("<i>Portal</i>") in squeezed
    assert "javascript:alert(1)" in squeezed


@pytest.mark.pdf
def test_pdf_draft_is_marked_draft_on_every_page(edition, country_a):
    submission = submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        values={"q14": {"details": "Work in progress"}},
    )
    pages = _pages_text(submission_pdf(submission_snapshot(submission=submission), draft=True))
    assert len(pages) > 3
    assert all("DRAFT" in page for page in pages)
    assert "Draft preview" in pages[0]


@pytest.mark.pdf
def test_pdf_draft_preview_footer_keeps_its_spaces(
    client, edition, country_a, focal_point, monkeypatch
):
    # The preview task runs in this process whatever the broker, so the download is the PDF.
    task = tasks.task_render_preview_pdf
    monkeypatch.setattr(task, "delay", lambda **kwargs: task.apply(kwargs=kwargs))
    submission = submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        values={"q14": {"details": "Work in progress"}},
    )
    client.force_login(focal_point)
    response = client.get(f"/submissions/{submission.pk}/preview.pdf")
    assert response.status_code == 200
    pages = _pages_text(b"".join(response.streaming_content))
    # The comma was a CSS escape that swallowed the space after it: "Draft,not submitted".
    assert all("Draft, not submitted" in page for page in pages)
    assert not any("Draft,not" in page for page in pages)


def test_pdf_arabic_paragraph_is_right_to_left_and_hidden_question_not_applicable(
    edition, country_a
):
    submission = _one_question_submission(
        edition,
        country_a,
        {
            "q14": {"details": f"English first line\n{ARABIC}", "links": []},
            "q10": {"answer": "no"},
        },
    )
    html = submission_html(submission_snapshot(submission=submission), draft=False)
    assert f'<p class="answer-text" dir="rtl">{ARABIC}</p>' in html
    assert '<p class="answer-text" dir="ltr">English first line</p>' in html
    q11 = html.split('id="q-q11"', 1)[1].split('id="q-q12"', 1)[0]
    assert "Not applicable" in q11
    assert "services?id=1" not in q11


@pytest.mark.pdf
def test_pdf_uses_the_whole_noto_list_only_for_a_script_outside_the_base_fonts(
    edition, country_a, tmp_path
):
    """Latin, Cyrillic, Arabic and CJK lay out with three families; Thai brings every Noto one."""
    assert not needs_wide_fonts(f"Portal — «{CYRILLIC}» {ARABIC} {CHINESE} 100 € 국가")
    assert needs_wide_fonts("ระบบบริการภาครัฐ")
    base = submission_html(
        submission_snapshot(
            submission=_one_question_submission(edition, country_a, {"q14": {"details": ARABIC}})
        ),
        draft=False,
    )
    assert "wide-script" not in base
    thai = "ระบบบริการภาครัฐ"
    submission = _one_question_submission(
        edition, Country.objects.exclude(pk=country_a.pk).first(), {"q14": {"details": thai}}
    )
    html = submission_html(submission_snapshot(submission=submission), draft=False)
    assert '<html lang="en" dir="ltr" class="wide-script">' in html
    path = tmp_path / "thai.pdf"
    path.write_bytes(html_to_pdf(html).content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-Thai" in fonts
    assert thai in "".join(_pages_text(path.read_bytes()))
