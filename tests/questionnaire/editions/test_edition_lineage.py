"""Question lineage: an edition's questions continue those of an earlier edition.

msq-2022-example continues msq-2020 (copies, a split, a merge, renamed choices, a
dropped question and two new ones); a broken reference is refused with the file, the
question and the problem, and nothing is loaded; an answer to 2020 is carried into the
2022 example's shape through the lineage.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from questionnaire.editions.lineage import (
    DroppedChoice,
    answer_carried,
    carried_value,
    lineage_editions,
    lineage_sources,
)
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.texts import EditionFileError
from questionnaire.kinds import get_kind
from questionnaire.models import Edition, Question, Section
from tests.questionnaire.editions.edition_variants import edition_variant, question_in

EXAMPLE = "msq-2022-example"


@pytest.fixture
def example(edition) -> Edition:
    """The example 2022 edition, loaded after the 2020 one it continues."""
    return edition_load(path=edition_path(EXAMPLE)).edition


def example_question(code: str) -> Question:
    return Question.objects.get(edition__code=EXAMPLE, code=code)


def counts() -> tuple[int, int, int]:
    return Edition.objects.count(), Section.objects.count(), Question.objects.count()


# --- The example edition ------------------------------------------------------


def test_edition_example_loads_next_to_2020_without_changing_it(edition):
    before = list(Question.objects.filter(edition=edition).order_by("id").values())
    result = edition_load(path=edition_path(EXAMPLE))
    example = result.edition
    assert example.year == 2022
    assert Edition.objects.count() == 2
    assert list(Question.objects.filter(edition=edition).order_by("id").values()) == before
    codes = set(example.questions.values_list("code", flat=True))
    # 39 in 2020: q11 merged into q10, q21 dropped, q4b split off q4, q2f and q25 new.
    assert len(codes) == 40
    assert {"q2f", "q4b", "q25"} <= codes
    assert not {"q11", "q21"} & codes
    continuing = {code for code in codes if example_question(code).lineage}
    assert codes - continuing == {"q2f", "q25"}


def test_load_edition_command_loads_example_after_2020(edition, capsys):
    call_command("load_edition", EXAMPLE)
    assert "msq-2022-example: 51 created, 0 updated, 0 removed (10 sections, 40 questions)." in (
        capsys.readouterr().out
    )


def test_load_edition_command_example_first_is_a_clear_error(countries):
    with pytest.raises(CommandError, match=r"Nothing was loaded\. .*load_edition msq-2020\)"):
        call_command("load_edition", EXAMPLE)
    assert Edition.objects.count() == 0


def test_edition_example_says_it_is_not_the_real_msq_2022(example):
    assert example.title == "MSQ 2022 (example for tests and demos — not the real MSQ 2022)"
    header = edition_path(EXAMPLE).read_text(encoding="utf-8").split("format: 1")[0]
    assert "NOT THE REAL MSQ 2022" in header
    assert "manage.py load_edition msq-2022-example" in header


def test_edition_example_is_english_only(example):
    assert example.translations == {}
    assert not example.questions.exclude(translations={}).exists()


def test_edition_example_load_twice_changes_nothing(example):
    before = list(Question.objects.order_by("id").values())
    result = edition_load(path=edition_path(EXAMPLE))
    assert not result.changed
    assert list(Question.objects.order_by("id").values()) == before


def test_edition_msq2020_reloaded_after_example_changes_nothing(example):
    result = edition_load(path=edition_path("msq-2020"))
    assert not result.changed


def test_edition_example_lineage_is_stored_resolved(example):
    assert example_question("q6").lineage == {
        "edition": "msq-2020",
        "questions": ["q6"],
        "parts": {
            "answer": {"question": "q6", "part": "answer"},
            "details": {"question": "q6", "part": "details"},
            "links": {"question": "q6", "part": "links"},
        },
    }
    assert example_question("q15").lineage["parts"]["technologies"] == {
        "question": "q15",
        "part": "answer",
        "options": {
            "ai": "artificial_intelligence",
            "big_data": "data_analytics",
            "iot": "internet_of_things",
            "virtual_reality": "extended_reality",
            "augmented_reality": "extended_reality",
            "quantum_computing": None,
        },
    }
    # The lineage is not part of the parts' definitions (the kinds read those).
    assert all("from" not in part for part in example_question("q10").parts)


def test_lineage_sources_lists_each_question_continued(example):
    assert lineage_sources(question=example_question("q10")) == [
        ("msq-2020", "q10", {"answer": {"part": "answer", "options": {}}}),
        (
            "msq-2020",
            "q11",
            {
                "details": {"part": "details", "options": {}},
                "links": {"part": "links", "options": {}},
            },
        ),
    ]
    assert lineage_sources(question=example_question("q4b")) == [
        ("msq-2020", "q4", {"contact": {"part": "contact", "options": {}}})
    ]
    assert lineage_sources(question=example_question("q25")) == []
    assert lineage_sources(question=Question.objects.get(edition__code="msq-2020", code="q1")) == []


def test_lineage_editions_of_the_example_is_2020(example):
    assert lineage_editions(questions=example.questions.all()) == ["msq-2020"]


def test_overview_still_shows_2020_after_example_loaded(client, focal_point, example):
    client.force_login(focal_point)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "not the real MSQ 2022" not in page
    assert "Not started" in page
    for section in Edition.objects.get(code="msq-2020").sections.all():
        assert section.title in page
    assert "Digital identity" not in page


# --- Broken lineage: refused with file, code and problem; nothing loaded ------


def example_variant(tmp_path: Path, change) -> Path:
    return edition_variant(tmp_path, EXAMPLE, change, name=f"{EXAMPLE}.yaml")


def msq2020_variant(tmp_path: Path, change) -> Path:
    return edition_variant(tmp_path, "msq-2020", change, name="msq-2020.yaml")


def setting(code, key, value):
    def change(data):
        question_in(data, code)[key] = value

    return change


def part_setting(code, index, key, value):
    def change(data):
        question_in(data, code)["parts"][index][key] = value

    return change


def mapping_entry(old, new):
    def change(data):
        question_in(data, "q15")["map"]["technologies"][old] = new

    return change


def without_map(data):
    del question_in(data, "q15")["map"]


BROKEN = [
    (
        "unknown edition",
        "q1",
        setting("q1", "continues", "msq-2018/q1"),
        "continues edition 'msq-2018', which is not loaded and has no file in "
        "questionnaire/editions/",
    ),
    (
        "unknown question",
        "q6",
        setting("q6", "continues", "msq-2020/q99"),
        "continues msq-2020/q99, which msq-2020 does not have",
    ),
    (
        "not edition/question",
        "q6",
        setting("q6", "continues", "q6"),
        "continues 'q6': write edition/question, e.g. msq-2020/q1",
    ),
    (
        "unknown part",
        "q4b",
        part_setting("q4b", 0, "from", "cio"),
        "part 'contact': from 'cio': msq-2020/q4 has no part 'cio'",
    ),
    (
        "kinds differ",
        "q6",
        part_setting("q6", 1, "from", "links"),
        "part 'details' (text) cannot continue msq-2020/q6 part 'links' (links): the kinds differ",
    ),
    (
        "renamed choices without mapping",
        "q15",
        without_map,
        "part 'technologies' continues msq-2020/q15 part 'answer', whose options ai, big_data, "
        "iot, quantum_computing, virtual_reality, augmented_reality it does not have: map them",
    ),
    (
        "mapping names an unknown old choice",
        "q15",
        mapping_entry("drones", "robotics"),
        "map of part 'technologies' names option 'drones', which msq-2020/q15 part 'answer' "
        "does not have",
    ),
    (
        "mapping names an unknown new choice",
        "q15",
        mapping_entry("ai", "machine_learning"),
        "map of part 'technologies': ai becomes 'machine_learning', which is not one of its "
        "options",
    ),
    (
        "from names a question not continued",
        "q10",
        setting("q10", "continues", "msq-2020/q10"),
        "part 'details': from 'q11/details' names question 'q11', which the question does "
        "not continue",
    ),
    (
        "ambiguous part in a merge",
        "q12",
        setting("q12", "continues", ["msq-2020/q10", "msq-2020/q12"]),
        "part 'answer': part 'answer' is in msq-2020/q10 and msq-2020/q12: "
        "say which with from: q10/answer",
    ),
    (
        "from without continues",
        "q25",
        part_setting("q25", 0, "from", "answer"),
        "part 'answer': from needs the question to say what it continues",
    ),
    (
        "map on a part without options",
        "q15",
        lambda data: question_in(data, "q15")["map"].update(details={"a": "b"}),
        "map names part 'details', which has no options to map",
    ),
    (
        "takes none of its parts",
        "q25",
        setting("q25", "continues", "msq-2020/q24"),
        "continues msq-2020/q24 but takes none of its parts",
    ),
    (
        "continues itself",
        "q25",
        setting("q25", "continues", "msq-2022-example/q1"),
        "continues msq-2022-example/q1, a question of its own edition: an edition cannot "
        "continue itself (a cycle)",
    ),
    (
        "continues a later edition",
        "q1",
        lambda data: data.update(year=2019),
        "continues msq-2020, an edition of 2020: a question continues one of an earlier edition "
        "than this one (2019)",
    ),
]


@pytest.mark.parametrize(("case", "code", "change", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_edition_load_broken_lineage_is_refused_naming_file_code_and_problem(
    edition, tmp_path, case, code, change, message
):
    path = example_variant(tmp_path, change)
    before = counts()
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value).startswith(f"{path}: question {code}: ")
    assert message in str(raised.value)
    assert counts() == before
    assert not Edition.objects.filter(code=EXAMPLE).exists()


def test_edition_load_example_before_2020_says_to_load_2020_first(countries):
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=edition_path(EXAMPLE))
    assert str(raised.value) == (
        f"{edition_path(EXAMPLE)}: question q1: continues edition msq-2020, which is not "
        "loaded: load the earlier edition first (manage.py load_edition msq-2020)"
    )
    assert counts() == (0, 0, 0)


def test_edition_load_cycle_through_two_editions_is_refused(example, tmp_path):
    """msq-2020 reloaded to continue the example, which continues msq-2020: a loop."""
    path = msq2020_variant(tmp_path, setting("q1", "continues", f"{EXAMPLE}/q1"))
    before = list(Question.objects.order_by("id").values())
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value) == (
        f"{path}: question q1: continues msq-2022-example/q1, but msq-2022-example continues "
        "this edition: msq-2020 → msq-2022-example → msq-2020 is a cycle"
    )
    assert list(Question.objects.order_by("id").values()) == before


def test_edition_load_earlier_edition_losing_a_continued_question_is_refused(example, tmp_path):
    def change(data):
        section = next(
            s for s in data["sections"] if s["code"] == "international-and-regional-cooperation"
        )
        section["questions"] = [item for item in section["questions"] if item["code"] != "q24"]

    path = msq2020_variant(tmp_path, change)
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value) == (
        f"{path}: question q24: is gone from the file but msq-2022-example/q24 continues it"
    )
    assert Question.objects.filter(edition__code="msq-2020", code="q24").exists()


def test_edition_load_earlier_edition_renaming_a_continued_option_is_refused(example, tmp_path):
    def change(data):
        question_in(data, "q8")["parts"][0]["options"][0]["code"] = "action_plan"

    path = msq2020_variant(tmp_path, change)
    before = list(Question.objects.order_by("id").values())
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value).startswith(
        f"{path}: question q8: msq-2022-example/q8 continues it, and would not hold: part "
        "'answer' continues msq-2020/q8 part 'answer', whose options action_plan it does not "
        "have: map them"
    )
    assert "whose options action_plan it does not have" in str(raised.value)
    assert list(Question.objects.order_by("id").values()) == before


def test_edition_load_failing_midway_writes_nothing(edition, monkeypatch):
    """The load is one transaction: a failure after the first rows leaves none of them."""
    create = Question.objects.create

    def create_until_q25(**values):
        if values["code"] == "q25":
            raise RuntimeError("the database went away")
        return create(**values)

    monkeypatch.setattr(Question.objects, "create", create_until_q25)
    before = counts()
    with pytest.raises(RuntimeError):
        edition_load(path=edition_path(EXAMPLE))
    assert counts() == before


# --- An answer to 2020 carried into the example's shape -----------------------

LINKS = [{"name": "Portal", "url": "https://gov.example", "note": ""}]
CONTACT = {
    "name": "A. Official",
    "title": "CIO",
    "organization": "Ministry",
    "phone": "",
    "emails": ["cio@gov.example"],
}


def carried(code: str, answers: dict) -> dict | None:
    return carried_value(question=example_question(code), previous_values={"msq-2020": answers})


def test_carried_value_same_shape_is_copied(example):
    answer = {"answer": "yes", "details": "Digital Uzbekistan 2030", "links": LINKS}
    assert carried("q6", {"q6": answer}) == answer


def test_carried_value_renamed_choices_are_mapped_and_dropped_one_reported(example):
    question = example_question("q15")
    previous = {
        "q15": {
            "answer": {
                "selected": ["ai", "big_data", "robotics", "virtual_reality", "augmented_reality"],
                "other": "",
            },
            "details": "A strategy per technology",
        }
    }
    result = answer_carried(question=question, previous_values={"msq-2020": previous})
    assert result.value == {
        "technologies": {
            "selected": [
                "artificial_intelligence",
                "data_analytics",
                "robotics",
                "extended_reality",
            ],
            "other": "",
        },
        "details": "A strategy per technology",
    }
    assert result.dropped == []
    # What is carried is a value the 2022 part accepts as it is.
    (part,) = [part for part in question.parts if part["name"] == "technologies"]
    assert (
        get_kind("multi").coerce(result.value["technologies"], part) == result.value["technologies"]
    )


def test_carried_value_dropped_option_is_left_out_and_reported(example):
    previous = {
        "q15": {"answer": {"selected": ["quantum_computing", "iot", "other"], "other": "Drones"}}
    }
    result = answer_carried(
        question=example_question("q15"), previous_values={"msq-2020": previous}
    )
    assert result.value == {
        "technologies": {"selected": ["internet_of_things", "other"], "other": "Drones"}
    }
    assert result.dropped == [DroppedChoice("msq-2020", "q15", "answer", "quantum_computing")]


def test_carried_value_only_dropped_options_carries_nothing(example):
    previous = {"q15": {"answer": {"selected": ["quantum_computing"], "other": ""}}}
    result = answer_carried(
        question=example_question("q15"), previous_values={"msq-2020": previous}
    )
    assert result.value is None
    assert [dropped.option for dropped in result.dropped] == ["quantum_computing"]


def test_carried_value_split_question_gives_each_its_parts(example):
    previous = {"q4": {"answer": "yes", "contact": CONTACT}}
    assert carried("q4", previous) == {"answer": "yes"}
    assert carried("q4b", previous) == {"contact": CONTACT}


def test_carried_value_merged_questions_fill_one(example):
    previous = {
        "q10": {"answer": "yes"},
        "q11": {"details": "Published every quarter", "links": LINKS},
    }
    assert carried("q10", previous) == {
        "answer": "yes",
        "details": "Published every quarter",
        "links": LINKS,
    }


def test_carried_value_none_without_lineage_or_previous_answer(example):
    assert carried("q25", {"q24": {"details": "x"}}) is None
    assert carried("q2f", {}) is None
    assert carried("q6", {}) is None
    assert carried("q6", {"q6": {"details": "", "links": []}}) is None
    assert carried_value(question=example_question("q6"), previous_values={}) is None
