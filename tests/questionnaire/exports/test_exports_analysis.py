"""The analysis-ready exports (issue 14): the wide XLSX, the Stata .dta and the SPSS .sav, read
back as an analyst would (openpyxl, pyreadstat), have the same typed, labelled columns."""

import io
import json
import re
from datetime import UTC

import pyreadstat
import pytest
from django.utils import translation
from openpyxl import load_workbook

from questionnaire.exports.jobs import export_job_create, export_job_run
from questionnaire.exports.labelled import ExportRefused
from questionnaire.exports.registry import EXPORTERS, exporter_choices
from questionnaire.exports.spss_sav import SpssSavExporter
from questionnaire.exports.stata_dta import StataDtaExporter
from questionnaire.exports.variables import variable_names
from questionnaire.exports.wide_xlsx import WideXlsxExporter
from questionnaire.models import ExportJob, Submission
from tests.factories import answers_full, submission_full
from tests.questionnaire.exports.test_exports import _export

Q8_OPTIONS = ["implementation_plan", "aligned_national_strategy"]
LONG_TEXT = ("Portal history — 20,000 characters. " * 600)[:20_000]


def _read_stats(exporter_class, edition, tmp_path):
    """(data frame, metadata) of a .dta or .sav export, as pyreadstat reads it back."""
    path = tmp_path / f"export.{exporter_class.extension}"
    path.write_bytes(_export(exporter_class, edition))
    reader = pyreadstat.read_dta if exporter_class is StataDtaExporter else pyreadstat.read_sav
    return reader(str(path))


def _xlsx(edition):
    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)))
    sheet = workbook["answers"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, line, strict=True)) for line in sheet.iter_rows(min_row=2)]
    return workbook, header, rows


def _utc_to_the_second(moment):
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def answered(edition, country_a, country_b):
    """Uzbekistan: every question, a 20,000-character text, q8's first two options ticked
    out of more, q17 at 45,5 %; France: a draft that answered q4 "no" and left q8 empty."""
    values = answers_full(edition, links_per_question=2)
    values["q6"]["details"] = LONG_TEXT
    values["q8"]["answer"] = {"selected": Q8_OPTIONS, "other": ""}
    values["q17"]["answer"] = {"value": "45,5", "comment": "Survey of 2019"}
    uzbekistan = submission_full(edition=edition, country=country_a, values=values)
    draft_values = {"q4": {"answer": "no"}, "q1": values["q1"]}
    france = submission_full(
        edition=edition, country=country_b, values=draft_values, status=Submission.Status.DRAFT
    )
    return uzbekistan, france


def test_wide_xlsx_typed_cells_links_split_options_zero_one_dates_utc(edition, answered):
    uzbekistan, _france = answered
    _workbook, header, rows = _xlsx(edition)
    uzb, fra = (
        next(row for row in rows if row["country_iso3"].value == iso3) for iso3 in ("UZB", "FRA")
    )
    stored_links = uzbekistan.answers.get(question__code="q1").value["links"]

    assert uzb["q1.links.link2.url"].value == stored_links[1]["url"]
    assert uzb["q1.links.link2.name"].value == stored_links[1]["name"]
    assert uzb["q4.answer"].value == 1
    assert fra["q4.answer"].value == 0
    assert uzb["q4.answer"].data_type == "n"
    assert [uzb[f"q8.answer.{code}"].value for code in Q8_OPTIONS] == [1, 1]
    others = [name for name in header if name.startswith("q8.answer.") and "other" not in name]
    assert len(others) > 2
    assert {uzb[name].value for name in others[2:]} == {0}
    # Not answered is empty, not 0.
    assert {fra[name].value for name in others} == {None}
    assert uzb["q17.answer"].value == 45.5
    assert uzb["q6.details"].value == LONG_TEXT
    submitted_at = uzb["submitted_at"]
    assert submitted_at.is_date
    assert submitted_at.value == _utc_to_the_second(uzbekistan.submitted_at)
    assert "UTC" in submitted_at.number_format
    assert fra["submitted_at"].value is None
    assert uzb["last_change"].is_date
    assert uzb["version"].value == 1


def test_wide_xlsx_header_frozen_and_columns_sized(edition, answered):
    workbook, header, _rows = _xlsx(edition)
    sheet = workbook["answers"]

    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    widths = {
        name: sheet.column_dimensions[cell.column_letter].width
        for name, cell in zip(header, sheet[1], strict=True)
    }
    assert widths["q6.details"] > widths["q4.answer"]
    assert workbook["codebook"].freeze_panes == "A2"


@pytest.mark.parametrize("exporter_class", [StataDtaExporter, SpssSavExporter])
def test_stats_file_typed_and_labelled_like_the_wide_xlsx(
    edition, answered, tmp_path, exporter_class
):
    uzbekistan, _france = answered
    frame, meta = _read_stats(exporter_class, edition, tmp_path)
    _workbook, header, _rows = _xlsx(edition)
    codebook = list(
        load_workbook(io.BytesIO(_export(WideXlsxExporter, edition)))["codebook"].values
    )
    variables = [row[1] for row in codebook[1:]]
    variable_of = {row[0]: row[1] for row in codebook[1:]}
    q8 = [variable_of[f"q8.answer.{code}"] for code in Q8_OPTIONS]

    # The same columns as the wide XLSX, in the same order, under the codebook's names.
    assert list(frame.columns) == variables
    assert len(variables) == len(header)
    uzb = frame[frame["country_iso3"] == "UZB"].iloc[0]
    fra = frame[frame["country_iso3"] == "FRA"].iloc[0]
    stored_links = uzbekistan.answers.get(question__code="q1").value["links"]
    assert uzb["q1_links_link2_url"] == stored_links[1]["url"]
    # A name longer than Stata allows is cut, and kept whole in the label and the codebook.
    assert q8[0] == "q8_answer_implementation_plan"
    assert q8[1].startswith("q8_answer_aligned_national_s")
    assert len(q8[1]) < len("q8_answer_aligned_national_strategy")
    assert [uzb[name] for name in q8] == [1, 1]
    assert meta.readstat_variable_types[q8[1]] == "double"
    assert str(fra[q8[0]]) == "nan"
    assert (uzb["q4_answer"], fra["q4_answer"]) == (1, 0)
    assert uzb["q17_answer"] == 45.5
    assert uzb["version"] == 1
    assert uzb["q6_details"] == LONG_TEXT
    assert uzb["submitted_at"].to_pydatetime() == _utc_to_the_second(uzbekistan.submitted_at)

    # Value labels on the 0/1 variables; variable labels: the column's name and wording.
    assert meta.variable_value_labels["q4_answer"] == {1: "yes", 0: "no"}
    assert meta.variable_value_labels[q8[0]] == {
        1: "chosen",
        0: "not chosen",
    }
    q4_label = meta.column_names_to_labels["q4_answer"]
    q4_wording = (
        "q4.answer: 4. Does your country have a Chief Information Officer (CIO) to manage "
        "national cross-agency e-government programs/strategies?"
    )
    assert q4_label.removesuffix("…") == q4_wording[: len(q4_label.removesuffix("…"))]
    assert len(q4_label) > 40
    q8_label = meta.column_names_to_labels[q8[1]]
    assert q8_label.startswith("q8.answer.aligned_national_strategy: ")
    assert "UTC" in meta.column_names_to_labels["submitted_at"]


def test_stata_label_fits_80_characters_spss_keeps_more(edition, answered, tmp_path):
    _frame, dta = _read_stats(StataDtaExporter, edition, tmp_path)
    _frame, sav = _read_stats(SpssSavExporter, edition, tmp_path)

    stata, spss = (meta.column_names_to_labels["q4_answer"] for meta in (dta, sav))
    assert len(stata) <= 80
    assert stata.endswith("…")
    assert spss.endswith("strategies?")


def test_spss_refuses_a_text_longer_than_it_holds_stata_keeps_it_whole(
    edition, country_a, tmp_path
):
    # 20,000 Cyrillic characters: 40,000 bytes in UTF-8, more than an SPSS string holds.
    values = answers_full(edition)
    values["q6"]["details"] = "ж" * 20_000
    submission_full(edition=edition, country=country_a, values=values)

    with pytest.raises(ExportRefused, match=r"Uzbekistan's q6\.details is 20,000 characters"):
        _export(SpssSavExporter, edition)
    frame, _meta = _read_stats(StataDtaExporter, edition, tmp_path)
    assert frame["q6_details"][0] == "ж" * 20_000
    _workbook, _header, rows = _xlsx(edition)
    assert rows[0]["q6.details"].value == "ж" * 20_000


def test_stata_spss_text_starting_like_a_formula_kept_as_typed(edition, country_a, tmp_path):
    values = answers_full(edition)
    values["q6"]["details"] = '=HYPERLINK("http://evil.example","x")'
    submission_full(edition=edition, country=country_a, values=values)

    for exporter_class in (StataDtaExporter, SpssSavExporter):
        frame, _meta = _read_stats(exporter_class, edition, tmp_path)
        assert frame["q6_details"][0] == '=HYPERLINK("http://evil.example","x")'


def test_variable_names_valid_for_stata_and_spss_and_unique():
    names = variable_names(
        [
            "q1.links.link1.url",
            "long",
            "str12",
            "q8.answer.aligned_national_strategy_and_more",
            "q8.answer.aligned_national_strategy_and_less",
            "Q1.LINKS.LINK1.URL",
            "1st",
        ]
    )

    assert names[0] == "q1_links_link1_url"
    assert names[1] == "long_v"
    assert names[2] == "str12_v"
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", name) for name in names)
    assert len({name.lower() for name in names}) == len(names)
    assert names[3] != names[4]
    assert names[6].startswith("v_")


def test_stata_and_spss_offered_as_export_formats_and_run_as_jobs(edition, country_a, reviewer):
    submission_full(edition=edition, country=country_a)
    assert {"stata_dta", "spss_sav"} <= set(EXPORTERS)
    offered = dict(exporter_choices())
    assert str(offered["stata_dta"]).startswith("Stata .dta")
    assert str(offered["spss_sav"]).startswith("SPSS .sav")

    for identifier in ("stata_dta", "spss_sav"):
        job = export_job_create(edition=edition, exporter=identifier, statuses=[], user=reviewer)
        job = export_job_run(job_id=job.pk)
        assert job.status == ExportJob.Status.DONE, job.error
        assert job.file.name.endswith(f".{EXPORTERS[identifier].extension}")


def test_exports_progress_columns_equal_the_reviewers_progress(edition, answered, tmp_path):
    """The one progress rule (questionnaire.progress) in the wide XLSX, the .dta and the JSON:
    the same figures as the submissions list and the overview."""
    from questionnaire.exports.json_nested import JsonExporter
    from questionnaire.exports.tidy_csv import TidyCsvExporter
    from questionnaire.review.selectors import progress_for_submissions

    by_pk = progress_for_submissions(answered)
    expected = {submission.country.iso3: by_pk[submission.pk] for submission in answered}
    assert expected["UZB"].percent == 100
    assert 0 < expected["FRA"].percent < 100

    _workbook, _header, rows = _xlsx(edition)
    frame, _meta = _read_stats(StataDtaExporter, edition, tmp_path)
    countries = json.loads(_export(JsonExporter, edition))["countries"]
    for iso3, progress in expected.items():
        figures = [progress.percent, progress.done, progress.total]
        row = next(row for row in rows if row["country_iso3"].value == iso3)
        columns = ["progress_percent", "questions_answered", "questions_applicable"]
        assert [row[name].value for name in columns] == figures
        assert row["progress_percent"].data_type == "n"
        stata = frame[frame["country_iso3"] == iso3].iloc[0]
        assert [int(stata[name]) for name in columns] == figures
        entry = next(entry for entry in countries if entry["iso3"] == iso3)
        assert [entry[name] for name in columns] == figures
    # A whole country's figures: not repeated on the tidy CSV's answer rows.
    assert "progress_percent" not in TidyCsvExporter.HEADER


def test_spss_refusal_in_the_reviewers_language(edition, country_a):
    values = answers_full(edition)
    values["q6"]["details"] = "ж" * 20_000
    submission_full(edition=edition, country=country_a, values=values)

    with translation.override("fr"), pytest.raises(ExportRefused) as refusal:
        _export(SpssSavExporter, edition)
    assert "tronqué" in str(refusal.value)
    assert "q6.details" in str(refusal.value)
