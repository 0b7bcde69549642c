"""A kind is one class plus its templates: a throwaway `date` kind, defined and registered here
alone, works in the section form, the PDF, the tidy CSV, the wide XLSX and its codebook, the
Stata and SPSS files, and the reviewers' history."""

import copy
import csv
import html
import io
from datetime import UTC, date, datetime

import pytest
from django import forms
from django.conf import settings
from django.test import override_settings
from openpyxl import load_workbook

from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.exports.wide_xlsx import WideXlsxExporter
from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.kinds import Kind, Problem, register, unregister
from questionnaire.models import Question, Submission
from questionnaire.pdf.render import submission_html
from questionnaire.review.history import submission_history
from questionnaire.selectors import submission_snapshot
from tests.questionnaire.filling_helpers import section_data

SECTION = "social-media"
CODEBOOK_CELL = "date: the day, read from the YYYY-MM-DD typed"


class DatePartForm(forms.Form):
    value = forms.CharField(
        label="Date", required=False, strip=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DateKind(Kind):
    """A day, stored as typed ("2026-03-01")."""

    name = "date"
    label = "Date"
    form_template = "throwaway/date_form.html"
    display_template = "throwaway/date_display.html"
    pdf_template = "throwaway/date_pdf.html"
    wide_cell_text = CODEBOOK_CELL

    @staticmethod
    def day(value) -> date | None:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return None

    def coerce(self, raw, part):
        return super().coerce(raw, part).strip()

    def problems(self, value, part):
        return [] if self.day(value) else [Problem(f"“{value}” is not a day like 2026-03-01.")]

    def form_class(self, part, *, value=None, add_row=False):
        return DatePartForm

    def pdf_context(self, value, part):
        day = self.day(value)
        return {"spelt": day.strftime("%d %B %Y") if day else value}

    def wide_cells(self, shown_part):
        yield "", self.day(shown_part.value)


TEMPLATES = {
    "date_form.html": (
        '<div class="throwaway-date">{% for field in part.form %}'
        '<label for="{{ field.id_for_label }}">{{ part.label }}</label>{{ field }}'
        "{% endfor %}</div>"
    ),
    "date_display.html": '<p class="throwaway-date-answer">{{ value }}</p>',
    "date_pdf.html": '<p class="throwaway-date-pdf">{{ pdf.spelt }}</p>',
}


@pytest.fixture
def date_kind(tmp_path):
    """The kind registered, its templates in a directory of their own; removed after."""
    (tmp_path / "throwaway").mkdir()
    for name, source in TEMPLATES.items():
        (tmp_path / "throwaway" / name).write_text(source)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], str(tmp_path)]
    register(DateKind())
    try:
        with override_settings(TEMPLATES=templates):
            yield
    finally:
        unregister("date")


@pytest.fixture
def date_question(date_kind, edition):
    section = edition.sections.get(code=SECTION)
    last = edition.questions.order_by("-order").first()
    return Question.objects.create(
        edition=edition,
        section=section,
        code="q99",
        number="99",
        text="When was the portal last redesigned?",
        kind="date",
        parts=[{"name": "answer", "kind": "date", "required": False}],
        required=False,
        order=last.order + 1,
    )


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


def _save(client, submission, typed: str):
    section = submission.edition.sections.get(code=SECTION)
    data = section_data(section, submission=submission, overrides={"q99-answer-value": typed})
    return client.post(f"/section/{SECTION}/", data)


def test_throwaway_kind_section_form_shows_its_widget_and_saves(
    client, focal_point, submission, date_question
):
    client.force_login(focal_point)
    page = client.get(f"/section/{SECTION}/").content.decode()
    assert 'class="throwaway-date"' in page
    assert '<input type="date" name="q99-answer-value"' in page

    response = _save(client, submission, " 2026-03-01 ")
    assert response.status_code == 302
    assert submission.answers.get(question=date_question).value == {"answer": "2026-03-01"}
    page = client.get(f"/section/{SECTION}/").content.decode()
    assert 'value="2026-03-01"' in page


def test_throwaway_kind_problem_listed_before_submission(
    client, focal_point, submission, date_question
):
    client.force_login(focal_point)
    _save(client, submission, "1 March")
    page = html.unescape(client.get("/review/").content.decode())
    assert "“1 March” is not a day like 2026-03-01." in page


def test_throwaway_kind_read_only_page_and_pdf_use_its_templates(submission, date_question):
    submission.answers.create(question=date_question, value={"answer": "2026-03-01"})
    snapshot = submission_snapshot(submission=submission)
    pdf_html = submission_html(snapshot, draft=True)
    assert '<p class="throwaway-date-pdf">01 March 2026</p>' in pdf_html
    [part] = [
        part
        for section in snapshot.sections
        for question in section.questions
        if question.question.code == "q99"
        for part in question.parts
    ]
    assert DateKind().render_html(part.value, part.definition).strip() == (
        '<p class="throwaway-date-answer">2026-03-01</p>'
    )


def _export(exporter_class, edition) -> bytes:
    out = io.BytesIO()
    exporter_class(edition=edition).write(
        submissions=Submission.objects.filter(edition=edition), out=out
    )
    return out.getvalue()


def test_throwaway_kind_in_tidy_csv_wide_xlsx_and_codebook(edition, submission, date_question):
    submission.answers.create(question=date_question, value={"answer": "2026-03-01"})

    rows = list(csv.DictReader(io.StringIO(_export(TidyCsvExporter, edition).decode("utf-8-sig"))))
    [row] = [row for row in rows if row["question_code"] == "q99"]
    assert (row["number"], row["part"], row["item"], row["field"], row["value"]) == (
        "99",
        "answer",
        "",
        "",
        "2026-03-01",
    )

    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)), read_only=True)
    header, country_row = list(workbook["answers"].values)
    assert dict(zip(header, country_row, strict=True))["q99.answer"] == datetime(2026, 3, 1)
    codebook = list(workbook["codebook"].values)
    entry = dict(zip(codebook[0], next(r for r in codebook if r[0] == "q99.answer"), strict=True))
    assert (entry["kind"], entry["question"], entry["cell"]) == (
        "date",
        "When was the portal last redesigned?",
        CODEBOOK_CELL,
    )


def test_throwaway_kind_in_stata_and_spss_files(edition, submission, date_question, tmp_path):
    import pyreadstat

    from questionnaire.exports.spss_sav import SpssSavExporter
    from questionnaire.exports.stata_dta import StataDtaExporter

    submission.answers.create(question=date_question, value={"answer": "2026-03-01"})

    for exporter_class, read in (
        (StataDtaExporter, pyreadstat.read_dta),
        (SpssSavExporter, pyreadstat.read_sav),
    ):
        path = tmp_path / f"export.{exporter_class.extension}"
        path.write_bytes(_export(exporter_class, edition))
        frame, meta = read(str(path))
        # A text column by default: its cell (a date) written as its text.
        assert frame["q99_answer"][0] == "2026-03-01"
        assert meta.column_names_to_labels["q99_answer"] == (
            "q99.answer: 99 When was the portal last redesigned?"
        )


def test_throwaway_kind_change_reads_in_words_in_the_history(
    edition, submission, date_question, focal_point
):
    for typed in ("2026-03-01", "2026-04-15"):
        submission.refresh_from_db()
        answers_save(
            submission=submission,
            user=focal_point,
            values={"q99": {"answer": typed}},
            base_version=submission.version,
        )

    [newest, first, *_] = submission_history(submission=submission, zone=UTC).entries
    assert [html.unescape(str(c.as_html())) for c in newest.parts[0].changes] == [
        'Changed the answer from <del class="history-before" dir="auto">2026-03-01</del> to '
        '<ins class="history-after" dir="auto">2026-04-15</ins>'
    ]
    assert first.parts[0].changes[0].after == "2026-03-01"
