"""The exports of an edition that continues another (issue 15): the changed_since_previous
flag per question (tidy CSV, wide XLSX) and the cross-edition tidy CSV, read back."""

import csv
import io

import pytest
from openpyxl import load_workbook

from questionnaire.exports.cross_edition import CrossEditionCsvExporter, lineage_keys
from questionnaire.exports.registry import EXPORTERS
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.exports.wide_xlsx import WideXlsxExporter
from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.models import Submission
from tests.factories import answers_full, submission_full
from tests.questionnaire.editions.helpers import example_edition_load, make_edition_current

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def example(edition):
    example = example_edition_load()
    # Officials answer it now (2020 closed): drafts are written to the open edition only.
    make_edition_current(example)
    return example


@pytest.fixture
def draft_2022(example, edition, country_a, focal_point) -> Submission:
    """Uzbekistan's 2020 answers sent (q6's details a formula), carried into 2022, q6 changed."""
    values = answers_full(edition)
    values["q6"]["details"] = FORMULA
    submission_full(edition=edition, country=country_a, submitted_by=focal_point, values=values)
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    return answers_save(
        submission=draft,
        user=focal_point,
        values={"q6": {"details": "Digital Uzbekistan 2030"}, "q25": answers_full(example)["q25"]},
        base_version=draft.version,
    )


def _export(exporter_class, edition) -> bytes:
    out = io.BytesIO()
    exporter_class(edition=edition).write(
        submissions=Submission.objects.filter(edition=edition), out=out
    )
    return out.getvalue()


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_tidy_csv_flags_each_question_changed_since_previous(example, draft_2022):
    rows = _csv(_export(TidyCsvExporter, example))
    flags = {row["question_code"]: row["changed_since_previous"] for row in rows}
    assert flags["q6"] == "1"
    assert flags["q1"] == "0"
    assert flags["q15"] == "0"  # renamed choices, carried as they were: unchanged
    assert flags["q25"] == ""  # new in 2022: nothing to compare


def test_tidy_csv_of_an_edition_without_lineage_leaves_the_flag_empty(edition, country_a):
    submission_full(edition=edition, country=country_a)
    rows = _csv(_export(TidyCsvExporter, edition))
    assert {row["changed_since_previous"] for row in rows} == {""}


def test_wide_xlsx_has_a_flag_column_per_continued_question(example, draft_2022):
    workbook = load_workbook(io.BytesIO(_export(WideXlsxExporter, example)))
    header, row = [[cell.value for cell in r] for r in workbook["answers"].iter_rows()]
    cells = dict(zip(header, row, strict=True))
    assert cells["q6.changed_since_previous"] == 1
    assert cells["q1.changed_since_previous"] == 0
    assert "q25.changed_since_previous" not in cells
    codebook = [[cell.value for cell in r] for r in workbook["codebook"].iter_rows()]
    (described,) = [line for line in codebook if line[0] == "q6.changed_since_previous"]
    assert described[2] == "q6" and "1 = changed; 0 = unchanged" in described


def test_cross_edition_csv_reads_back_both_editions_keyed_by_lineage(example, edition, draft_2022):
    assert EXPORTERS["cross_edition_csv"] is CrossEditionCsvExporter
    rows = _csv(_export(CrossEditionCsvExporter, example))
    assert list(rows[0]) == CrossEditionCsvExporter.HEADER
    assert {row["edition"] for row in rows} == {"msq-2020", "msq-2022-example"}

    def values(edition_code, key):
        return [
            (row["question_code"], row["value"])
            for row in rows
            if row["edition"] == edition_code and row["lineage_key"] == key
        ]

    # The split: 2020's q4 contact and 2022's q4b contact share a key.
    contact = "msq-2020/q4/contact"
    assert values("msq-2020", contact) and values("msq-2022-example", contact)
    assert {code for code, _v in values("msq-2022-example", contact)} == {"q4b"}
    assert [v for _c, v in values("msq-2020", contact)] == [
        v for _c, v in values("msq-2022-example", contact)
    ]
    # Renamed part: 2022's q15 technologies continues 2020's q15 answer.
    assert values("msq-2022-example", "msq-2020/q15/answer")
    # New in 2022: keyed by itself.
    assert values("msq-2022-example", "msq-2022-example/q25/answer")
    # Formula-safe: the 2020 text that looked like a formula has its apostrophe.
    assert values("msq-2020", "msq-2020/q6/details") == [("q6", "'" + FORMULA)]
    assert values("msq-2022-example", "msq-2020/q6/details") == [("q6", "Digital Uzbekistan 2030")]


def test_cross_edition_csv_leaves_out_earlier_drafts(example, edition, country_b):
    submission_full(edition=edition, country=country_b, status=Submission.Status.DRAFT)
    rows = _csv(_export(CrossEditionCsvExporter, example))
    assert rows == []


def test_lineage_keys_follow_merges_and_new_questions(example):
    keys = lineage_keys(edition=example)
    assert keys["msq-2022-example", "q10", "details"] == "msq-2020/q11/details"
    assert keys["msq-2022-example", "q10", "answer"] == "msq-2020/q10/answer"
    # Dropped in 2022: its 2020 rows keep their own key.
    assert keys["msq-2020", "q21", "details"] == "msq-2020/q21/details"
