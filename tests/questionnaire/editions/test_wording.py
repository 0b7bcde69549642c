"""The questionnaire's wording in the active language: the accessor, the pages, the PDF, the
consent. The interface catalogues are not there yet; these check the edition's own wording."""

import html
import re
import subprocess
import unicodedata

import pytest
from django.test import override_settings
from django.utils import translation

from questionnaire.editions.wording import (
    Wording,
    part_wording,
    wording,
    wording_html,
    wording_language,
)
from questionnaire.filling.services import submission_get_or_create
from questionnaire.filling.submitting import consent_set
from questionnaire.models import Edition, Question, Section, Submission, SubmissionEvent
from questionnaire.pdf.render import html_to_pdf, submission_html
from questionnaire.selectors import submission_snapshot
from tests.factories import submission_full
from tests.questionnaire.filling.test_services import COMPLETE, save

Q1_FR = "Quel est le portail officiel de l'administration en ligne au niveau national ?"
Q1_AR = "ما هي البوابة الرسمية للحكومة الإلكترونية على الصعيد الوطني؟"
Q1_EN = "What is the official e-government portal at the national level?"
IMPLEMENTATION_PLAN_FR = "est assortie d'un plan de mise en œuvre."
CONSENT_FR = "Je/Nous autorise/autorisons par la présente le DAES"

FRENCH = override_settings(LANGUAGES=[("en", "English"), ("fr", "French")])
ARABIC = override_settings(LANGUAGES=[("en", "English"), ("ar", "Arabic")])


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


@pytest.fixture
def without_arabic(edition):
    """The edition as if its file had no Arabic: every text falls back to English."""
    for model in (Edition, Section, Question):
        for row in model.objects.all():
            row.translations.pop("ar", None)
            row.save(update_fields=["translations"])


def page(response) -> str:
    return html.unescape(response.content.decode())


# --- The accessor -----------------------------------------------------------


def test_wording_in_french_is_the_french_text(edition):
    q1 = Question.objects.get(code="q1")
    assert wording(q1, "text", language="fr") == Wording(q1.translations["fr"]["text"], "fr")
    assert wording(q1, "text", language="fr").text.startswith(Q1_FR)
    with translation.override("zh-hans"):
        assert wording(q1, "footnotes.0.term") == Wording("电子政务", "zh-hans")


def test_wording_language_missing_falls_back_to_english(edition):
    q8 = Question.objects.get(code="q8")
    q8.translations = {"fr": {}}
    assert wording(q8, "lead_in", language="fr") == Wording(
        "National e-government strategy or equivalent:", "en"
    )
    assert wording(q8, "parts.answer.options.leave_no_one_behind.footnote", language="ar") == (
        Wording(
            "Poor, immigrants, older persons, persons with disabilities, women, youth, "
            "indigenous people",
            "en",
        )
    )
    assert wording(edition, "title", language="en").text == edition.title


def test_wording_language_of_django_codes():
    assert [wording_language(code) for code in ("fr-ca", "zh-cn", "zh-hans", "ar", "de", None)] == [
        "fr", "zh-hans", "zh-hans", "ar", "en", "en",
    ]  # fmt: skip


def test_wording_html_marks_fallback_and_translation_with_their_language():
    english = Wording("Health <b>", "en")
    assert wording_html(english, page_language="en") == "Health &lt;b&gt;"
    assert wording_html(english, page_language="fr") == (
        '<span lang="en" dir="ltr">Health &lt;b&gt;</span>'
    )
    assert wording_html(Wording("الصحة", "ar"), page_language="ar") == (
        '<span lang="ar" dir="rtl">الصحة</span>'
    )


def test_part_wording_translates_label_choices_and_their_footnotes(edition):
    q8 = Question.objects.get(code="q8")
    with translation.override("es"):
        localized = part_wording(q8, q8.parts[0])
    options = {option["code"]: option for option in localized["options"]}
    assert options["implementation_plan"]["label"] == "cuenta con un plan de aplicación."
    assert options["new_technologies"]["footnote"] == (
        "Se refiere también a las tecnologías emergentes"
    )
    # The stored definition is English still: exports and the admin read it.
    assert q8.parts[0]["options"][0]["label"] == "has an implementation plan."
    labelled = part_wording(
        q8, {"name": "answer", "kind": "text", "label": "Answer"}, language="fr"
    )
    assert labelled["label"] == "Answer"


# --- Pages ------------------------------------------------------------------


@FRENCH
def test_section_page_in_french_shows_french_wording(client, focal_point, edition):
    client.force_login(focal_point)
    text = page(client.get("/section/institutional-framework/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert f'<span lang="fr" dir="ltr">{Q1_FR}' in text
    assert '<span lang="fr" dir="ltr">Cadre institutionnel</span>' in text
    # The group text and a footnote, in French.
    assert "Veuillez également indiquer les adresses URL" in text
    assert "Portail spécifique présentant la liste de tous les services en ligne" in text
    assert Q1_EN not in text
    strategy = page(client.get("/section/strategy-and-implementation/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert IMPLEMENTATION_PLAN_FR in strategy
    assert "has an implementation plan." not in strategy


@ARABIC
def test_section_page_without_arabic_wording_shows_english_marked_lang_en(
    client, focal_point, without_arabic
):
    client.force_login(focal_point)
    text = page(client.get("/section/institutional-framework/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert '<html lang="ar" dir="rtl">' in text
    assert f'<span lang="en" dir="ltr">{Q1_EN}' in text
    assert '<span lang="en" dir="ltr">Institutional Framework</span>' in text
    assert Q1_AR not in text


@ARABIC
def test_section_page_in_arabic_shows_arabic_wording_right_to_left(client, focal_point, edition):
    client.force_login(focal_point)
    text = page(client.get("/section/institutional-framework/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert f'<span lang="ar" dir="rtl">{Q1_AR}' in text
    assert Q1_EN not in text


@FRENCH
def test_submission_page_in_french_shows_french_questions_and_choices(
    client, focal_point, edition, country_a
):
    submission_full(
        edition=edition,
        country=country_a,
        values={"q8": {"answer": {"selected": ["implementation_plan"], "other": ""}}},
    )
    client.force_login(focal_point)
    text = page(client.get("/submission/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert f'<span lang="fr" dir="ltr">{Q1_FR}' in text
    assert f'<span lang="fr" dir="ltr">{IMPLEMENTATION_PLAN_FR}</span>' in text
    assert "Nous vous remercions d'avoir pris le temps" in text
    assert "has an implementation plan." not in text


def test_submission_page_in_english_is_unmarked_english(client, focal_point, edition, country_a):
    submission_full(edition=edition, country=country_a)
    client.force_login(focal_point)
    text = page(client.get("/submission/"))
    assert Q1_EN in text
    # No wording marked French (the header's switcher names each language in its own).
    assert '<span lang="fr"' not in text and Q1_FR not in text


# --- The PDF ----------------------------------------------------------------


def test_pdf_html_in_french_shows_french_wording(edition, country_a):
    submission = submission_full(
        edition=edition,
        country=country_a,
        values={"q8": {"answer": {"selected": ["implementation_plan"], "other": ""}}},
    )
    html_text = html.unescape(
        submission_html(submission_snapshot(submission=submission), draft=False, language="fr")
    )
    assert '<html lang="fr" dir="ltr">' in html_text
    assert f'<span lang="fr" dir="ltr">{Q1_FR}' in html_text
    assert IMPLEMENTATION_PLAN_FR in html_text
    assert "Cadre institutionnel" in html_text
    assert Q1_EN not in html_text


def pdftotext(content: bytes, tmp_path) -> str:
    path = tmp_path / "submission.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ar", ["البوابة", "الرسمية", "للحكومة", "الصعيد", "الوطني", "المؤسسي"]),
        ("zh-hans", ["官方电子政务门户网站", "体制框架"]),
    ],
)
def test_pdf_in_arabic_and_chinese_prints_the_translated_wording(
    edition, country_a, tmp_path, language, words
):
    submission = submission_full(
        edition=edition, country=country_a, values={"q14": {"details": "Portal"}}
    )
    source = submission_html(
        submission_snapshot(submission=submission), draft=False, language=language
    )
    if language == "ar":
        # The question's wording is laid out right to left.
        assert f'<span lang="ar" dir="rtl">{Q1_AR}' in html.unescape(source)
    # Extraction gives Arabic presentation forms and bidi marks, and a lam-alef ligature in
    # visual order (the words below have none).
    text = unicodedata.normalize("NFKC", pdftotext(html_to_pdf(source).content, tmp_path))
    text = re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)
    for word in words:
        assert word in text, word
    assert "What is the official" not in text


# --- The consent ------------------------------------------------------------


def test_consent_set_in_french_records_the_french_wording_and_language(
    submission, focal_point, edition
):
    with translation.override("fr"):
        updated = consent_set(
            submission=submission, user=focal_point, consent=Submission.Consent.GRANTED
        )
    assert updated.consent_text == edition.translations["fr"]["consent_text"]
    assert updated.consent_text.startswith(CONSENT_FR)
    assert updated.consent_language == "fr"
    updated.refresh_from_db()
    assert (updated.consent_language, updated.consent_text[:20]) == ("fr", CONSENT_FR[:20])
    event = submission.events.get(kind=SubmissionEvent.Kind.CONSENT_CHANGED)
    assert event.after["consent_language"] == "fr"
    assert event.after["consent_text"].startswith(CONSENT_FR)


def test_consent_set_in_a_language_the_edition_lacks_records_english(
    submission, focal_point, edition, without_arabic
):
    updated = consent_set(
        submission=submission,
        user=focal_point,
        consent=Submission.Consent.REFUSED,
        language="ar",
    )
    assert (updated.consent_text, updated.consent_language) == (edition.consent_text, "en")


@FRENCH
def test_consent_page_in_french_shows_and_records_the_same_french_wording(
    client, focal_point, submission
):
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    client.force_login(focal_point)
    shown = page(client.get("/review/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert CONSENT_FR in shown
    # Chosen with the submit, in one POST.
    response = client.post(
        "/review/submit",
        {"consent": "granted", "base_version": submission.version},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.consent_language == "fr"
    assert submission.consent_text in shown
    recorded = page(client.get("/submission/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert f'<span lang="fr" dir="ltr">{submission.consent_text}</span>' in recorded
