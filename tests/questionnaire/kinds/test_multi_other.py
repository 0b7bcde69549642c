"""An "Other" text typed without "Other" ticked: submitted, stored and shown exactly as given."""

import csv
import html
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from questionnaire.exports.json_nested import JsonExporter
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.exports.wide_xlsx import WideXlsxExporter
from questionnaire.filling.services import submission_get_or_create
from questionnaire.filling.submitting import consent_set, submission_submit
from questionnaire.kinds import get_kind
from questionnaire.models import Submission
from questionnaire.pdf.render import submission_pdf
from questionnaire.selectors import submission_snapshot
from tests.questionnaire.filling.test_services import COMPLETE, save

OTHER_TEXT = "Answered by the e-government team of the Ministry — جواب الوزارة"
X1 = {"answer": {"selected": ["authorized"], "other": OTHER_TEXT}}


@pytest.fixture
def submitted(edition, country_a, focal_point, monkeypatch):
    """Country A's answers submitted with x1's "Other" text typed and "Other" not ticked."""
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    save(submission, focal_point, {**COMPLETE, "x1": X1})
    consent_set(submission=submission, user=focal_point, consent="granted")
    submission.refresh_from_db()
    return submission_submit(submission=submission, user=focal_point)


def test_multi_other_text_without_other_ticked_is_no_problem(edition):
    part = edition.questions.get(code="x1").parts[0]
    assert get_kind("multi").problems(X1["answer"], part) == []


def test_multi_other_text_without_other_ticked_submits_as_given(submitted):
    assert submitted.status == Submission.Status.SUBMITTED
    # Stored as typed: no choice added that the official did not tick.
    assert submitted.answers.get(question__code="x1").value == X1


def test_multi_other_text_without_other_ticked_on_the_read_only_page(
    client, submitted, focal_point
):
    client.force_login(focal_point)
    text = html.unescape(client.get("/submission/").content.decode())
    block = text[text.index('id="ro-question-x1"') :]
    block = block[: block.index('class="question readonly-question"', 1)]
    assert "I am authorized and fully knowledgeable" in block
    assert "“Other” text (“Other” not ticked):" in block
    assert OTHER_TEXT in block


@pytest.mark.pdf
def test_multi_other_text_without_other_ticked_in_the_pdf(submitted):
    content = submission_pdf(submission_snapshot(submission=submitted))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert "Answeredbythee-governmentteamoftheMinistry" in squeezed
    for word in ("جواب", "الوزارة"):
        assert word in text


def _export(exporter_class, edition) -> bytes:
    out = io.BytesIO()
    exporter_class(edition=edition).write(
        submissions=Submission.objects.filter(edition=edition), out=out
    )
    return out.getvalue()


def test_multi_other_text_without_other_ticked_in_every_export(edition, submitted):
    rows = list(csv.DictReader(io.StringIO(_export(TidyCsvExporter, edition).decode("utf-8-sig"))))
    x1 = [(row["field"], row["value"]) for row in rows if row["question_code"] == "x1"]
    assert x1 == [
        ("authorized", "I am authorized and fully knowledgeable to respond to this questionnaire."),
        ("other_text", OTHER_TEXT),
    ]

    sheet = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)))["answers"]
    header = [cell.value for cell in sheet[1]]
    x1_cells = {
        name: sheet.cell(row=2, column=index + 1).value
        for index, name in enumerate(header)
        if name.startswith("x1.answer.")
    }
    # One 0/1 column per option: only the ticked one is 1, "Other" stays 0; the text as given.
    assert x1_cells.pop("x1.answer.other_text") == OTHER_TEXT
    assert x1_cells.pop("x1.answer.authorized") == 1
    assert x1_cells and set(x1_cells.values()) == {0}

    document = json.loads(_export(JsonExporter, edition))
    sections = document["countries"][0]["sections"]
    x1_value = next(section["x1"] for section in sections.values() if "x1" in section)
    assert x1_value == X1
