"""Each exporter's file, read back with the standard parsers, holds exactly the stored answers."""

import csv
import gc
import hashlib
import io
import itertools
import json
import weakref
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Country
from linkcheck.exports import snapshots_with_link_status
from questionnaire.exports.json_nested import JsonExporter
from questionnaire.exports.pdf_zip import PdfZipExporter
from questionnaire.exports.reading import snapshots_iter, submissions_for_export
from questionnaire.exports.registry import EXPORTERS
from questionnaire.exports.sheets import neutralise
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.exports.wide_xlsx import WideXlsxExporter
from questionnaire.models import Answer, Submission
from questionnaire.selectors import edition_layout, submission_snapshot
from questionnaire.structure import edition_structures_forget
from tests.factories import answers_full, submission_full

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _plain(value):
    """A spreadsheet value as typed: the apostrophe against formula injection taken off."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


FORMULA_STARTS = {"=", "+", "-", "@", "\t", "\r"}


def _export(exporter_class, edition, submissions=None) -> bytes:
    out = io.BytesIO()
    exporter_class(edition=edition).write(
        submissions=submissions or Submission.objects.filter(edition=edition), out=out
    )
    return out.getvalue()


def _expected_flat(submission) -> list[tuple]:
    """(iso3, question, part, flattened field, text) for every value shown, from the database."""
    # With each link's last check, as every export has it (linkcheck, issue 16).
    snapshot = next(
        snapshots_with_link_status(
            iter([submission_snapshot(submission=submission)]), edition=submission.edition
        )
    )
    return [
        (submission.country.iso3, question.question.code, part.name, field, text)
        for section in snapshot.sections
        for question in section.questions
        for part in question.parts
        for field, text in part.flat
    ]


@pytest.fixture
def two_submissions(edition, country_a, country_b):
    first = submission_full(edition=edition, country=country_a)
    second = submission_full(edition=edition, country=country_b, links_per_question=3)
    return [first, second]


def test_tidy_csv_rows_equal_stored_answers(edition, two_submissions):
    content = _export(TidyCsvExporter, edition).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))

    assert list(rows[0]) == TidyCsvExporter.HEADER
    parsed = [
        (
            row["country_iso3"],
            row["question_code"],
            row["part"],
            f"{row['item']}.{row['field']}" if row["item"] else row["field"],
            _plain(row["value"]),
        )
        for row in rows
    ]
    expected = [item for submission in two_submissions for item in _expected_flat(submission)]
    # Rows come in country-name order: France before Uzbekistan.
    assert sorted(parsed) == sorted(expected)
    assert parsed[0][0] == "FRA"
    assert {row["edition"] for row in rows} == {"msq-2020"}
    assert {row["region"] for row in rows if row["country_iso3"] == "UZB"} == {"Asia"}


def test_tidy_csv_rows_tell_draft_from_submitted_and_consent(edition, country_a, country_b):
    submission_full(edition=edition, country=country_a)
    draft = submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT)
    draft.consent = Submission.Consent.REFUSED
    draft.version = 4
    draft.save()

    rows = list(csv.DictReader(io.StringIO(_export(TidyCsvExporter, edition).decode("utf-8-sig"))))

    def columns(iso3):
        return {
            (row["status"], row["version"], row["submitted_version"], row["consent"])
            for row in rows
            if row["country_iso3"] == iso3
        }

    # Every row of a country carries its submission's status, versions and consent.
    assert columns("UZB") == {("submitted", "1", "1", "granted")}
    assert columns("FRA") == {("draft", "4", "", "refused")}


def test_tidy_csv_links_exploded_one_row_per_field(edition, country_a):
    submission_full(edition=edition, country=country_a, links_per_question=3)
    rows = list(csv.DictReader(io.StringIO(_export(TidyCsvExporter, edition).decode("utf-8-sig"))))

    q1_urls = [row for row in rows if row["question_code"] == "q1" and row["field"] == "url"]
    stored = Answer.objects.get(question__code="q1").value["links"]
    assert [row["value"] for row in q1_urls] == [link["url"] for link in stored]
    assert [row["item"] for row in q1_urls] == ["1", "2", "3"]
    assert {row["number"] for row in q1_urls} == {"1."}


def test_wide_xlsx_cells_equal_stored_answers(edition, two_submissions):
    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)), read_only=True)
    sheet = list(workbook["answers"].iter_rows(values_only=True))
    header, rows = sheet[0], sheet[1:]
    assert len(rows) == 2
    by_iso3 = {row[0]: dict(zip(header, row, strict=True)) for row in rows}

    for submission in two_submissions:
        row = by_iso3[submission.country.iso3]
        assert row["status"] == "submitted"
        # The same versions as the tidy CSV and the JSON.
        assert (row["version"], row["submitted_version"]) == (
            submission.version,
            submission.submitted_version,
        )
        for code, value in _stored(submission):
            question = edition.questions.get(code=code)
            for part in question.parts:
                column = f"{code}.{part['name']}"
                if part["kind"] == "percentage":
                    typed = value[part["name"]]
                    assert row[column] == float(typed["value"]), column
                    assert row[f"{column}.comment"] == typed["comment"], column
                    continue
                assert _parse_wide(row, column, part) == value[part["name"]], column


def _stored(submission) -> list[tuple[str, dict]]:
    return list(submission.answers.values_list("question__code", "value"))


def _parse_wide(row: dict, column: str, part: dict):
    """Rebuild a stored value from its wide columns (as documented in the codebook)."""
    kind = part["kind"]
    if kind == "text":
        return row[column] or ""
    if kind == "yes_no":
        return {1: "yes", 0: "no", None: ""}[row[column]]
    if kind == "links":
        links = []
        for index in itertools.count(1):
            if f"{column}.link{index}.url" not in row:
                break
            fields = ("name", "url", "note")
            link = {field: row[f"{column}.link{index}.{field}"] for field in fields}
            if any(link.values()):
                links.append({field: text or "" for field, text in link.items()})
        return links
    if kind == "contact":
        fields = ("name", "title", "organization", "emails", "phone")
        value = {field: row[f"{column}.{field}"] or "" for field in fields}
        value["emails"] = value["emails"].split("; ")
        return value
    if kind == "multi":
        codes = [option["code"] for option in part["options"]]
        assert {row[f"{column}.{code}"] for code in codes} <= {0, 1}
        selected = [code for code in codes if row[f"{column}.{code}"] == 1]
        return {"selected": selected, "other": row[f"{column}.other_text"] or ""}
    raise AssertionError(kind)


def test_wide_xlsx_one_column_per_link_field_up_to_the_most_links_given(edition, two_submissions):
    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)), read_only=True)
    header, *rows = list(workbook["answers"].iter_rows(values_only=True))

    q1 = [name for name in header if name.startswith("q1.")]
    # Uzbekistan gave 2 links, France 3: three links' columns, each with its last check.
    assert q1 == [
        f"q1.links.link{index}.{field}"
        for index in (1, 2, 3)
        for field in ("name", "url", "note", "link_status")
    ]
    uzb = dict(zip(header, next(row for row in rows if row[0] == "UZB"), strict=True))
    assert uzb["q1.links.link3.url"] is None
    assert (
        uzb["q1.links.link2.url"]
        == two_submissions[0].answers.get(question__code="q1").value["links"][1]["url"]
    )


def test_wide_xlsx_codebook_lists_every_column(edition, country_a):
    submission_full(edition=edition, country=country_a)
    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)), read_only=True)
    answers_header = next(workbook["answers"].iter_rows(values_only=True))
    codebook = list(workbook["codebook"].iter_rows(values_only=True))
    header = codebook[0]
    entries = [dict(zip(header, row, strict=True)) for row in codebook[1:]]

    # Every column of the wide sheet, the country columns first, each with its type.
    assert [entry["column"] for entry in entries] == list(answers_header)
    assert list(answers_header[: len(WideXlsxExporter.COUNTRY_COLUMNS)]) == (
        WideXlsxExporter.COUNTRY_COLUMNS
    )
    assert all(entry["type"] and entry["cell"] and entry["variable"] for entry in entries)
    q17 = [entry for entry in entries if entry["question_code"] == "q17"]
    assert [entry["column"] for entry in q17][:3] == [
        "q17.answer",
        "q17.answer.comment",
        "q17.links.link1.name",
    ]
    assert {entry["kind"] for entry in q17[:2]} == {"percentage"}
    assert q17[0]["cell"].startswith("number")
    assert q17[0]["type"] == "number"
    assert q17[1]["cell"].startswith("text")
    q4_contact = next(entry for entry in entries if entry["column"] == "q4.contact.name")
    assert q4_contact["kind"] == "contact"
    assert q4_contact["shown_if"] == "q4.answer = yes"
    assert "Chief Information Officer" in q4_contact["question"]
    q4_answer = next(entry for entry in entries if entry["column"] == "q4.answer")
    assert (q4_answer["type"], q4_answer["values"]) == ("integer 0/1", "1 = yes; 0 = no")
    q1 = next(entry for entry in entries if entry["column"] == "q1.links.link1.url")
    assert q1["number"] == "1."
    assert q1["required"] == "yes"
    assert q1["variable"] == "q1_links_link1_url"
    submitted_at = next(entry for entry in entries if entry["column"] == "submitted_at")
    assert submitted_at["type"] == "date-time"
    assert "UTC" in submitted_at["cell"]


def test_json_countries_and_sections_equal_stored_answers(edition, two_submissions):
    data = json.loads(_export(JsonExporter, edition))

    assert data["format"] == "msq-export/1"
    assert data["edition"]["code"] == "msq-2020"
    assert [country["iso3"] for country in data["countries"]] == ["FRA", "UZB"]
    section_of = {question.code: question.section.code for question in edition.questions.all()}
    for submission in two_submissions:
        entry = next(c for c in data["countries"] if c["iso3"] == submission.country.iso3)
        assert entry["status"] == "submitted"
        assert entry["consent"] == "granted"
        for code, value in _stored(submission):
            assert entry["sections"][section_of[code]][code] == value


def test_json_hidden_question_left_out(edition, country_a):
    values = answers_full(edition)
    values["q4"]["answer"] = "no"  # the contact part is then hidden, though still stored
    submission_full(edition=edition, country=country_a, values=values)

    data = json.loads(_export(JsonExporter, edition))

    q4 = data["countries"][0]["sections"]["institutional-framework"]["q4"]
    assert q4 == {"answer": "no"}


def test_pdf_zip_manifest_lists_versions_and_checksums(
    edition, country_a, country_b, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with_pdf = submission_full(edition=edition, country=country_a)
    content = b"%PDF-1.7 fake pdf of Uzbekistan"
    with_pdf.pdf.save("uzb.pdf", ContentFile(content), save=False)
    with_pdf.pdf_version = 1
    with_pdf.pdf_sha256 = hashlib.sha256(content).hexdigest()
    with_pdf.save()
    submission_full(edition=edition, country=country_b)  # not rendered yet

    archive = zipfile.ZipFile(io.BytesIO(_export(PdfZipExporter, edition)))

    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [row["country_iso3"] for row in manifest] == ["FRA", "UZB"]
    uzb = manifest[1]
    assert uzb["pdf_version"] == "1"
    assert uzb["sha256"] == hashlib.sha256(content).hexdigest()
    assert archive.read(uzb["file"]) == content
    assert manifest[0]["file"] == ""
    assert manifest[0]["note"] == "no PDF rendered yet"


@pytest.mark.parametrize("formula", FORMULAS)
def test_neutralise_formula_gets_apostrophe(formula):
    assert neutralise(formula) == "'" + formula
    assert neutralise("plain " + formula) == "plain " + formula


def _formula_values(edition):
    values = answers_full(edition)
    values["q6"]["details"] = FORMULAS[0]
    values["q1"]["links"][0]["url"] = FORMULAS[3]
    values["q1"]["links"][0]["name"] = FORMULAS[1]
    return values


def test_tidy_csv_formula_injection_neutralised(edition, country_a):
    submission_full(edition=edition, country=country_a, values=_formula_values(edition))
    rows = list(csv.DictReader(io.StringIO(_export(TidyCsvExporter, edition).decode("utf-8-sig"))))

    details = next(r for r in rows if r["question_code"] == "q6" and r["part"] == "details")
    assert details["value"] == "'" + FORMULAS[0]
    link = {r["field"]: r["value"] for r in rows if r["question_code"] == "q1" and r["item"] == "1"}
    assert link["url"] == "'" + FORMULAS[3]
    assert link["name"] == "'" + FORMULAS[1]
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def _wide_row(content: bytes) -> dict:
    """The first country's cells of a wide XLSX by column, as openpyxl reads them (typed)."""
    sheet = load_workbook(io.BytesIO(content))["answers"]
    header = [cell.value for cell in sheet[1]]
    return {header[i]: cell for i, cell in enumerate(sheet[2])}


def test_wide_xlsx_formula_injection_neutralised(edition, country_a):
    submission_full(edition=edition, country=country_a, values=_formula_values(edition))
    content = _export(WideXlsxExporter, edition)
    row = _wide_row(content)

    # A string cell: shown exactly as typed, never evaluated, no apostrophe added.
    assert row["q6.details"].value == FORMULAS[0]
    assert row["q6.details"].data_type == "s"
    assert row["q1.links.link1.name"].value == FORMULAS[1]
    assert row["q1.links.link1.url"].value == FORMULAS[3]
    assert row["q1.links.link1.url"].data_type == "s"
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook for line in sheet.iter_rows() for cell in line]
    assert all(cell.data_type != "f" for cell in cells)
    # No formula element in any sheet's XML either.
    archive = zipfile.ZipFile(io.BytesIO(content))
    sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets
    assert not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)


@pytest.mark.parametrize(
    "typed", ["- first bullet\n- second bullet", "+998 71 238 41 00", "-3", "@home", "=1+2"]
)
def test_wide_xlsx_text_starting_like_a_formula_shown_as_typed(edition, country_a, typed):
    values = answers_full(edition)
    values["q6"]["details"] = typed
    submission_full(edition=edition, country=country_a, values=values)

    cell = _wide_row(_export(WideXlsxExporter, edition))["q6.details"]

    assert cell.value == typed
    assert cell.data_type == "s"


def test_wide_xlsx_percentage_a_number_and_its_comment_in_own_column(edition, country_a):
    values = answers_full(edition)
    values["q17"]["answer"] = {"value": "45,5", "comment": "Survey of 2019"}
    values["q18"]["answer"] = {"value": "50%", "comment": ""}
    values["q19"]["answer"] = {"value": "12.25", "comment": "- estimate"}
    values["q20"]["answer"] = {"value": "about half", "comment": "no survey yet"}
    submission_full(edition=edition, country=country_a, values=values)

    row = _wide_row(_export(WideXlsxExporter, edition))

    assert row["q17.answer"].value == 45.5
    assert row["q17.answer"].data_type == "n"
    assert row["q17.answer.comment"].value == "Survey of 2019"
    assert row["q18.answer"].value == 50
    assert row["q18.answer.comment"].value is None
    assert row["q19.answer"].value == 12.25
    assert row["q19.answer.comment"].value == "- estimate"
    # Not a number: the cell stays empty (the CSV and JSON keep what was typed).
    assert row["q20.answer"].value is None
    assert row["q20.answer.comment"].value == "no survey yet"


def test_wide_xlsx_control_character_does_not_break_export(edition, country_a):
    values = answers_full(edition)
    values["q6"]["details"] = "pasted\x0bfrom Word"
    submission_full(edition=edition, country=country_a, values=values)

    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)), read_only=True)
    rows = list(workbook["answers"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("q6.details")] == "pasted\ufffdfrom Word"


def _queries_for(exporter_class, edition) -> int:
    # Both counts read the edition's structure (cached per process after the first read).
    edition_structures_forget()
    with CaptureQueriesContext(connection) as queries:
        _export(exporter_class, edition)
    return len(queries)


@pytest.mark.parametrize("identifier", sorted(EXPORTERS))
def test_export_query_count_same_for_1_and_50_submissions(edition, identifier):
    exporter_class = EXPORTERS[identifier]
    countries = list(Country.objects.order_by("iso3")[:50])
    values = answers_full(edition, links_per_question=1)
    submission_full(edition=edition, country=countries[0], values=values)
    one = _queries_for(exporter_class, edition)

    for country in countries[1:]:
        submission_full(edition=edition, country=country, values=values)
    fifty = _queries_for(exporter_class, edition)

    assert Submission.objects.count() == 50
    assert fifty == one


def test_snapshots_iter_chunks_freed_without_garbage_collector(edition):
    """Memory stays flat with the number of countries only if each chunk's rows are freed as
    soon as they are written: nothing read for an export may wait for the cyclic collector
    (prefetched answers pointing back at their submission did, one chunk after another)."""
    for country in Country.objects.order_by("iso3")[:4]:
        submission_full(edition=edition, country=country, links_per_question=1)
    seen = []
    gc.collect()
    gc.disable()
    try:
        for snapshot in snapshots_iter(
            submissions=submissions_for_export(edition=edition),
            layout=edition_layout(edition=edition),
            chunk_size=2,
        ):
            seen.append(weakref.ref(snapshot.submission))
        del snapshot
        still_in_memory = [ref() for ref in seen if ref() is not None]
    finally:
        gc.enable()
    assert len(seen) == 4
    assert still_in_memory == []


def test_submissions_for_export_filters_statuses(edition, country_a, country_b):
    submission_full(edition=edition, country=country_a)
    submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT)

    submitted = submissions_for_export(edition=edition, statuses=["submitted", "accepted"])
    every = submissions_for_export(edition=edition)

    assert [s.country.iso3 for s in submitted] == ["UZB"]
    assert every.count() == 2


def test_json_export_keys_match_documented_schema(edition, country_a):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "exports-json-schema.md").read_text()
    schema = json.loads(
        doc.split("## JSON Schema (draft 2020-12)")[1].split("```json")[1].split("```")[0]
    )
    submission_full(edition=edition, country=country_a)

    data = json.loads(_export(JsonExporter, edition))

    assert set(data) == set(schema["required"])
    edition_schema = schema["properties"]["edition"]
    assert set(data["edition"]) == set(edition_schema["required"])
    section_schema = edition_schema["properties"]["sections"]["items"]
    assert set(data["edition"]["sections"][0]) == set(section_schema["required"])
    question_schema = section_schema["properties"]["questions"]["items"]
    assert set(data["edition"]["sections"][0]["questions"][0]) == set(question_schema["required"])
    part_schema = question_schema["properties"]["parts"]["items"]
    questions = [q for section in data["edition"]["sections"] for q in section["questions"]]
    q8 = next(q for q in questions if q["code"] == "q8")
    assert set(q8["parts"][0]) == set(part_schema["required"]) | {"options"}
    option_schema = part_schema["properties"]["options"]["items"]
    assert set(q8["parts"][0]["options"][0]) == set(option_schema["required"])
    country_schema = schema["properties"]["countries"]["items"]
    assert set(data["countries"][0]) == set(country_schema["required"])
    assert data["countries"][0]["status"] in country_schema["properties"]["status"]["enum"]


def test_wide_xlsx_overlong_cell_cut_with_a_note(edition, country_a):
    # Beyond every limit a save allows (20,000 characters): only an older answer could be.
    values = answers_full(edition)
    values["q6"]["details"] = "Portal history. " + "n" * 40_000
    submission_full(edition=edition, country=country_a, values=values)

    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)), read_only=True)
    rows = list(workbook["answers"].iter_rows(values_only=True))
    cell = rows[1][rows[0].index("q6.details")]

    assert len(cell) <= 32_767
    assert cell.startswith("Portal history. nnn")
    assert cell.endswith("The CSV, JSON, Stata and SPSS exports have the whole answer.]")


def test_pdf_zip_leaves_out_a_pdf_not_matching_its_sha256_and_queues_a_repair(
    edition, country_a, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from questionnaire import tasks

    settings.MEDIA_ROOT = tmp_path
    queued = []
    monkeypatch.setattr(
        tasks.task_render_submission_pdf, "delay", lambda **kwargs: queued.append(kwargs)
    )
    submission = submission_full(edition=edition, country=country_a)
    submission.pdf.save("uzb.pdf", ContentFile(b"%PDF-1.7 cut sh"), save=False)
    submission.pdf_version = 1
    submission.pdf_sha256 = hashlib.sha256(b"%PDF-1.7 cut short, then rewritten").hexdigest()
    submission.save()

    with django_capture_on_commit_callbacks(execute=True):
        archive = zipfile.ZipFile(io.BytesIO(_export(PdfZipExporter, edition)))

    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert manifest[0]["file"] == ""
    assert manifest[0]["note"].startswith("PDF being repaired")
    assert archive.namelist() == ["manifest.csv"]
    assert queued == [{"submission_id": submission.pk, "version": 1, "force": False}]
