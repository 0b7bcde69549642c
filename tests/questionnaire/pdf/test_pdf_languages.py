"""PDFs in the submitter's language: stored at submit, Arabic right to left throughout,
Chinese and Russian in the embedded Noto fonts, and reviewers' English copy rendered once by
a worker on demand."""

import re
import subprocess
import unicodedata

import pytest
from django.urls import reverse
from django.utils import translation

from questionnaire import tasks
from questionnaire.filling.submitting import submission_submit
from questionnaire.models import Submission
from questionnaire.pdf import render as pdf_render
from questionnaire.pdf.on_demand import pdf_copy_read
from questionnaire.pdf.render import html_to_pdf, submission_html
from questionnaire.pdf.services import submission_pdf_render
from questionnaire.selectors import submission_snapshot
from tests.conftest import wait_for
from tests.factories import submission_full

# Interface strings of the PDF (locale/*/django.po) and wording of the edition file.
INTERFACE = ["Date of submission", "Publication consent", "Printed"]
WORDING = {
    "ar": ["البوابة", "الرسمية", "للحكومة", "الصعيد", "الوطني"],
    "zh-hans": ["官方电子政务门户网站"],
    "ru": ["Вопросник", "государств-членов"],
}


def _text(content: bytes, tmp_path) -> str:
    path = tmp_path / "submission.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    # Arabic comes out in presentation forms with bidi marks: compare letters only.
    return _letters(text)


# pdftotext writes a lam-alef or lam-yeh ligature back as its letters in the wrong order
# ("على" comes out "عىل", "الأعضاء" "األعضاء"): Arabic is compared without lam and the alef
# and yeh forms, which keeps every other letter in its order.
_ARABIC_LIGATURE_LETTERS = re.compile("[\u0627\u0623\u0625\u0622\u0644\u0649\u064a]")


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_LIGATURE_LETTERS.sub("", text)
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


def test_submit_stores_the_submitter_language(edition, country_a, focal_point):
    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)

    with translation.override("ar"):
        submitted = submission_submit(submission=draft, user=focal_point)

    submitted.refresh_from_db()
    assert submitted.language == "ar"


def test_submit_through_the_page_in_french_stores_french(client, edition, country_a, focal_point):
    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    client.force_login(focal_point)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    response = client.post(
        reverse("questionnaire:submit"), {"consent": "granted", "base_version": draft.version}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.language) == (Submission.Status.SUBMITTED, "fr")


@pytest.mark.pdf
@pytest.mark.parametrize("language", ["ar", "zh-hans", "ru"])
def test_submitted_pdf_is_in_the_submission_language(
    edition, country_a, settings, tmp_path, monkeypatch, language
):
    settings.MEDIA_ROOT = str(tmp_path)
    rendered = []
    real = pdf_render.submission_pdf

    def spy(snapshot, **kwargs):
        rendered.append(kwargs.get("language"))
        return real(snapshot, **kwargs)

    monkeypatch.setattr(pdf_render, "submission_pdf", spy)
    submission = submission_full(edition=edition, country=country_a, values={"q14": {}})
    Submission.objects.filter(pk=submission.pk).update(language=language)

    submission_pdf_render(submission_id=submission.pk, version=1)

    assert rendered == [language]
    submission.refresh_from_db()
    text = _text(submission.pdf.read(), tmp_path)
    for word in WORDING[language]:
        assert _letters(word) in text, word
    with translation.override(language):
        for msgid in INTERFACE:
            assert _letters(translation.gettext(msgid)) in text, msgid


@pytest.mark.pdf
def test_arabic_pdf_is_right_to_left_with_numbers_and_urls_isolated(edition, country_a):
    submission = submission_full(edition=edition, country=country_a)

    source = submission_html(submission_snapshot(submission=submission), draft=False, language="ar")

    assert re.search(r'<html lang="ar" dir="rtl"', source)
    # The country name where Arabic reading starts, the page numbers at the other end.
    assert '@top-right { content: "Uzbekistan"; }' in source
    assert '<bdi class="number" dir="ltr">' in source
    assert '<p class="url" dir="ltr">' in source
    assert '<bdi class="link-index" dir="ltr">1.</bdi>' in source
    html_to_pdf(source)  # lays out without error


def test_english_pdf_is_left_to_right(edition, country_a):
    submission = submission_full(edition=edition, country=country_a)

    source = submission_html(submission_snapshot(submission=submission), draft=False, language="en")

    assert '<html lang="en" dir="ltr"' in source
    assert '@top-left { content: "Uzbekistan"; }' in source


# --- Reviewers' copy in English ------------------------------------------------------


@pytest.mark.pdf
def test_english_copy_of_another_language_is_rendered_once_and_kept(
    client, edition, country_a, reviewer, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = str(tmp_path)
    languages = []
    real = pdf_render.submission_pdf

    def spy(snapshot, **kwargs):
        languages.append(kwargs.get("language"))
        return real(snapshot, **kwargs)

    monkeypatch.setattr(pdf_render, "submission_pdf", spy)
    # In this process whatever the broker (the worker's own test is below).
    task = tasks.task_render_submission_pdf_copy
    monkeypatch.setattr(task, "delay", lambda **kwargs: task.apply(kwargs=kwargs))
    submission = submission_full(edition=edition, country=country_a)
    Submission.objects.filter(pk=submission.pk).update(language="ar")
    client.force_login(reviewer)
    url = reverse(
        "questionnaire:submission_pdf_in_language",
        kwargs={"submission_id": submission.pk, "language": "en"},
    )

    first = client.get(url)  # the task ran during this request
    again = client.get(url)

    assert first.status_code == again.status_code == 200
    assert first["Content-Disposition"].endswith('-en.pdf"')
    assert b"".join(again.streaming_content).startswith(b"%PDF")
    assert languages == ["en"]
    text = _text(pdf_copy_read(submission=submission, language="en"), tmp_path)
    assert "Whatistheofficiale-governmentportal" in text


def test_copy_in_the_submission_own_language_is_the_stored_pdf(
    client, edition, country_a, reviewer
):
    submission = submission_full(edition=edition, country=country_a)
    Submission.objects.filter(pk=submission.pk).update(language="fr")
    client.force_login(reviewer)

    response = client.get(
        reverse(
            "questionnaire:submission_pdf_in_language",
            kwargs={"submission_id": submission.pk, "language": "fr"},
        )
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("questionnaire:submission_pdf", args=[submission.pk])


@pytest.mark.parametrize("language", ["klingon", "de", ""])
def test_copy_in_a_language_not_offered_is_404(client, edition, country_a, reviewer, language):
    submission = submission_full(edition=edition, country=country_a)
    client.force_login(reviewer)

    response = client.get(f"/submissions/{submission.pk}/pdf/{language}")

    assert response.status_code == 404


def test_copy_of_another_country_is_404_for_an_official(client, edition, country_a, outsider):
    submission = submission_full(edition=edition, country=country_a)
    client.force_login(outsider)

    response = client.get(
        reverse(
            "questionnaire:submission_pdf_in_language",
            kwargs={"submission_id": submission.pk, "language": "en"},
        )
    )

    assert response.status_code == 404


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_english_copy_through_the_worker_while_the_page_waits(
    client, celery_worker_process, edition, country_a, reviewer
):
    """With a broker a real worker renders it while the page polls (202, then ready);
    without, in-process within the first request."""
    submission = submission_full(edition=edition, country=country_a)
    Submission.objects.filter(pk=submission.pk).update(language="zh-hans")
    client.force_login(reviewer)
    url = reverse(
        "questionnaire:submission_pdf_in_language",
        kwargs={"submission_id": submission.pk, "language": "en"},
    )

    first = client.get(url)

    if celery_worker_process is None:
        assert first.status_code == 200
    else:
        assert first.status_code == 202
        page = first.content.decode()
        assert 'data-check-url="' in page and "preview-wait.js" in page
        wait_for(lambda: client.get(url + "?check=1").json()["state"] == "ready", timeout=90)
        assert client.get(url).status_code == 200
    assert pdf_copy_read(submission=submission, language="en").startswith(b"%PDF")
