"""The MSQ 2020 data file against its source text, and the loader's refusals.

docs/msq-2020-questionnaire.md is the questionnaire as DPIDG wrote it; the
checks below read it independently of the YAML encoding so that a typo in
either shows up.
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.texts import EditionFileError
from questionnaire.editions.wording import (
    EDITION_FIELDS,
    QUESTION_FIELDS,
    SECTION_FIELDS,
    wording_texts,
)
from questionnaire.models import Answer, Edition, Question, Section, Submission
from tests.questionnaire.editions.edition_variants import edition_variant, question_in

SPEC = Path(__file__).resolve().parents[3] / "docs" / "msq-2020-questionnaire.md"
CODE_RE = re.compile(r"`(q\d+[a-z]?|x\d+|x_contact)`")


def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


def spec_body() -> str:
    """The questionnaire itself, from its cover on (the preamble quotes example codes)."""
    text = spec_text()
    return text[text.index("## Cover") :]


def spec_codes() -> list[str]:
    return CODE_RE.findall(spec_body())


def spec_blocks() -> dict[str, str]:
    """Each question code with the source text that follows it, up to the next code."""
    text = spec_body()
    matches = list(CODE_RE.finditer(text))
    blocks = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        blocks[match.group(1)] = text[match.end() : end]
    return blocks


def quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


def test_edition_msq2020_loads_ten_sections_in_order(edition):
    sections = list(Section.objects.filter(edition=edition).order_by("order"))
    assert [section.numeral for section in sections] == [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
    ]  # fmt: skip
    spec_titles = re.findall(r"^## [IVX]+\. (.+)$", spec_text(), flags=re.MULTILINE)
    assert [section.title for section in sections] == spec_titles


def test_edition_msq2020_has_every_spec_code_exactly_once(edition):
    codes = list(Question.objects.filter(edition=edition).values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert sorted(codes) == sorted(spec_codes())
    assert len(codes) == 39


def test_edition_msq2020_question_wording_equals_spec(edition):
    blocks = spec_blocks()
    for question in Question.objects.filter(edition=edition):
        block = blocks[question.code]
        if question.code == "x_contact":
            assert question.text == ""
            continue
        if question.group_number:
            # Parts of a group are written `q2a` "a. E-services" in the source.
            assert quoted(block)[0] == f"{question.number} {question.text}", question.code
            assert f'"{question.group_text}"' in spec_text()
            assert f"({question.group_number})" in spec_text()
        else:
            printed = re.match(r'\s*\(([^)]+)\)\s*"([^"]+)"', block)
            assert printed, question.code
            assert (printed.group(1), printed.group(2)) == (question.number, question.text)


def test_edition_msq2020_footnotes_and_options_equal_spec(edition):
    text = spec_text()
    blocks = spec_blocks()
    footnotes = list(edition.footnotes)
    for section in edition.sections.all():
        footnotes += section.footnotes
    for question in Question.objects.filter(edition=edition):
        footnotes += question.footnotes
        for part in question.parts:
            for option in part.get("options", []):
                # Every option label stands verbatim, quoted, in its own question's block.
                assert f'"{option["label"]}"' in blocks[question.code], (question.code, option)
                if option.get("footnote"):
                    assert f'footnote: "{option["footnote"]}"' in blocks[question.code]
    spec_footnotes = re.findall(r'footnote(?: on "[^"]+")?: "([^"]+)"', text)
    option_footnotes = [
        option["footnote"]
        for question in Question.objects.filter(edition=edition)
        for part in question.parts
        for option in part.get("options", [])
        if option.get("footnote")
    ]
    assert len(spec_footnotes) == 11
    assert sorted([note["text"] for note in footnotes] + option_footnotes) == sorted(spec_footnotes)


def test_edition_msq2020_option_counts_equal_spec(edition):
    expected = {"q8": 11, "q9": 9, "q15": 10, "x1": 5, "x2": 6}
    for code, count in expected.items():
        question = Question.objects.get(edition=edition, code=code)
        (multi,) = [part for part in question.parts if part["kind"] == "multi"]
        assert len(multi["options"]) == count, code
    others = {
        question.code
        for question in Question.objects.filter(edition=edition)
        for part in question.parts
        for option in part.get("options", [])
        if option.get("other")
    }
    assert others == {"q15", "x1", "x2"}


def test_edition_msq2020_cover_and_consent_equal_spec(edition):
    text = spec_text()
    assert f'Title: "{edition.title}"' in text
    assert f'"{edition.introduction}"' in text
    assert f'Authorization: "{edition.consent_text}"' in text
    assert f'Closing text: "{edition.closing_text}"' in text


def test_edition_msq2020_conditions_match_spec(edition):
    conditions = {
        question.code: question.show_if
        for question in Question.objects.filter(edition=edition, show_if__isnull=False)
    }
    assert conditions == {
        "q11": {"question": "q10", "part": "answer", "equals": "yes"},
        "q13": {"question": "q12", "part": "answer", "equals": "yes"},
    }
    q4 = Question.objects.get(edition=edition, code="q4")
    assert [part["kind"] for part in q4.parts] == ["yes_no", "contact"]
    assert q4.parts[1]["show_if"] == {"part": "answer", "equals": "yes"}


def test_edition_load_twice_changes_nothing(edition):
    before = list(Question.objects.order_by("id").values())
    result = edition_load(path=edition_path("msq-2020"))
    assert not result.changed
    assert list(Question.objects.order_by("id").values()) == before
    assert Edition.objects.count() == 1


def test_load_edition_command_reports_up_to_date(edition, capsys):
    call_command("load_edition", "msq-2020")
    assert "already up to date" in capsys.readouterr().out


# --- Malformed files -------------------------------------------------------


def write_variant(tmp_path: Path, change) -> Path:
    return edition_variant(tmp_path, "msq-2020", change, name="broken.yaml")


first_question = question_in


def set_kind(code, kind):
    def change(data):
        first_question(data, code)["parts"][0]["kind"] = kind

    return change


def duplicate(code, twin):
    def change(data):
        first_question(data, twin)["code"] = code

    return change


def condition_on(code, target):
    def change(data):
        first_question(data, code)["show_if"]["question"] = target

    return change


def drop_options(code):
    def change(data):
        first_question(data, code)["parts"][0]["options"] = []

    return change


def part_condition_on(code, part):
    def change(data):
        first_question(data, code)["parts"][1]["show_if"]["part"] = part

    return change


MALFORMED = [
    ("unknown kind", "q6", set_kind("q6", "essay"), "unknown kind 'essay'"),
    ("duplicate code", "q3", duplicate("q3", "q4"), "used twice"),
    ("condition on missing", "q11", condition_on("q11", "q99"), "'q99', which does not exist"),
    ("condition on later", "q11", condition_on("q11", "q12"), "'q12', which comes later"),
    ("multi without options", "q8", drop_options("q8"), "needs a list of options"),
    ("part condition", "q4", part_condition_on("q4", "nothing"), "not an earlier part"),
]


@pytest.mark.parametrize(
    ("case", "code", "change", "message"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_edition_load_malformed_file_is_refused_naming_file_and_code(
    countries, tmp_path, case, code, change, message
):
    path = write_variant(tmp_path, change)
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(path) in str(raised.value)
    assert f"question {code}" in str(raised.value)
    assert message in str(raised.value)
    assert Edition.objects.count() == 0
    assert Question.objects.count() == 0


def test_edition_load_invalid_yaml_is_refused(countries, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: msq-2020\nsections: [\n", encoding="utf-8")
    with pytest.raises(EditionFileError, match="is not valid YAML"):
        edition_load(path=path)
    assert Edition.objects.count() == 0


def test_edition_load_refused_file_leaves_loaded_edition_untouched(edition, tmp_path):
    """A half-good file must not update the questions that come before its error."""

    def change(data):
        first_question(data, "q1")["text"] = "Changed wording"
        first_question(data, "x2")["parts"][0]["kind"] = "essay"

    path = write_variant(tmp_path, change)
    with pytest.raises(EditionFileError):
        edition_load(path=path)
    assert Question.objects.get(code="q1").text.startswith("What is the official")


def test_edition_load_refuses_to_remove_answered_question(edition, country_a, tmp_path):
    submission = Submission.objects.create(edition=edition, country=country_a)
    Answer.objects.create(
        submission=submission, question=Question.objects.get(code="q24"), value={"details": "x"}
    )

    def change(data):
        data["sections"][8]["questions"] = [
            item for item in data["sections"][8]["questions"] if item.get("code") != "q24"
        ]

    path = write_variant(tmp_path, change)
    with pytest.raises(EditionFileError, match="question q24: is gone from the file but has"):
        edition_load(path=path)
    assert Question.objects.filter(code="q24").exists()


def test_edition_load_new_edition_is_only_a_data_file(edition, tmp_path):
    """A 2022 edition is a new file, not new code."""

    def change(data):
        data["code"] = "msq-2022"
        data["year"] = 2022
        data["title"] = {
            language: text.replace("2020", "2022") for language, text in data["title"].items()
        }

    source = write_variant(tmp_path, change)
    path = tmp_path / "msq-2022.yaml"
    shutil.move(source, path)
    call_command("load_edition", str(path))
    assert Edition.objects.get(code="msq-2022").questions.count() == 39
    assert Edition.objects.get(code="msq-2020").questions.count() == 39


def test_load_edition_command_malformed_file_is_a_clear_error(countries, tmp_path):
    path = write_variant(tmp_path, set_kind("q6", "essay"))
    with pytest.raises(CommandError, match=r"Nothing was loaded\. .*broken\.yaml: question q6"):
        call_command("load_edition", str(path))


# --- The wording in the six UN languages ------------------------------------

LANGUAGES = {"fr", "es", "ru", "ar", "zh-hans"}


def rows_of(edition):
    return [
        (edition, EDITION_FIELDS),
        *((section, SECTION_FIELDS) for section in edition.sections.all()),
        *((question, QUESTION_FIELDS) for question in edition.questions.all()),
    ]


def test_edition_msq2020_has_every_text_in_the_six_languages(edition):
    for row, fields in rows_of(edition):
        english = wording_texts(row, fields)
        # x_contact has no wording of its own: nothing to translate.
        assert set(row.translations) == (LANGUAGES if english else set()), row
        for language, texts in row.translations.items():
            assert set(texts) == set(english), (row, language)
    q1 = Question.objects.get(code="q1")
    assert q1.translations["fr"]["text"].startswith("Quel est le portail officiel")
    assert q1.translations["zh-hans"]["footnotes.0.term"] == "电子政务"
    q2a = Question.objects.get(code="q2a")
    assert q2a.translations["es"]["group_text"].startswith("Sírvase proporcionar también")
    x2 = Question.objects.get(code="x2")
    assert x2.translations["ar"]["parts.answer.options.un_desa.label"] == (
        "مباشرة من إدارة الشؤون الاقتصادية والاجتماعية"
    )
    assert edition.translations["ru"]["consent_text"].startswith("Настоящим я/мы разрешаю")


def test_edition_msq2020_file_says_its_translations_await_review():
    header = edition_path("msq-2020").read_text(encoding="utf-8").split("format: 1")[0]
    assert "PENDING REVIEW BY DPIDG'S TRANSLATORS" in header
    assert "NOT AN OFFICIAL UNITED\n# NATIONS TRANSLATION" in header


def test_edition_msq2020_translations_keep_addresses_and_codes(edition):
    for row, _fields in rows_of(edition):
        english = " ".join(wording_texts(row, _fields).values())
        for address in re.findall(r"\S+@\S+\w|https://\S+", english):
            for language, texts in row.translations.items():
                assert address in " ".join(texts.values()), (row, language, address)


def english_only(node):
    """The file's data with every text by language replaced by its English."""
    if isinstance(node, dict):
        if "en" in node and set(node) <= {"en", *LANGUAGES}:
            return node["en"]
        return {key: english_only(value) for key, value in node.items()}
    if isinstance(node, list):
        return [english_only(item) for item in node]
    return node


def test_edition_load_english_only_file_has_no_translations(countries, tmp_path):
    path = tmp_path / "english.yaml"
    data = english_only(yaml.safe_load(edition_path("msq-2020").read_text(encoding="utf-8")))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edition = edition_load(path=path).edition
    assert edition.translations == {}
    assert not Question.objects.exclude(translations={}).exists()
    assert Question.objects.get(code="q1").text.startswith("What is the official")


def test_edition_load_same_six_language_file_twice_writes_nothing(edition):
    before = [
        list(model.objects.order_by("id").values("id", "translations"))
        for model in (Edition, Section, Question)
    ]
    result = edition_load(path=edition_path("msq-2020"))
    assert not result.changed
    after = [
        list(model.objects.order_by("id").values("id", "translations"))
        for model in (Edition, Section, Question)
    ]
    assert after == before


def q4_footnote_text(language, value):
    def change(data):
        first_question(data, "q4")["footnotes"][0]["text"][language] = value

    return change


def q4_without_footnote_text_in(language):
    def change(data):
        del first_question(data, "q4")["footnotes"][0]["text"][language]

    return change


def q4_contact_label_in_english_only(data):
    first_question(data, "q4")["parts"][1]["label"] = {"en": "Contact details of the CIO"}


def q8_option_label_in_french_only(data):
    option = first_question(data, "q8")["parts"][0]["options"][0]
    option["label"] = {"fr": option["label"]["fr"]}


MALFORMED_WORDING = [
    (
        "unknown language",
        "q4",
        q4_footnote_text("de", "Chief Information Officer"),
        "language 'de': footnote 1 text: unknown language code "
        "(the languages are en, fr, es, ru, ar, zh-hans)",
    ),
    (
        "not text",
        "q4",
        q4_footnote_text("ru", ["a", "list"]),
        "language ru: footnote 1 text must be text, not ['a', 'list']",
    ),
    ("empty", "q4", q4_footnote_text("ar", "  "), "language ar: footnote 1 text is empty"),
    (
        "no english",
        "q8",
        q8_option_label_in_french_only,
        'part "answer" option "implementation_plan" label: a text by language needs its '
        "English (en) version",
    ),
    (
        "missing french",
        "q4",
        q4_without_footnote_text_in("fr"),
        "language fr: missing text for footnote 1 text",
    ),
    (
        "part label in english only",
        "q4",
        q4_contact_label_in_english_only,
        'language fr: missing text for part "contact" label',
    ),
]


@pytest.mark.parametrize(
    ("case", "code", "change", "message"), MALFORMED_WORDING, ids=[m[0] for m in MALFORMED_WORDING]
)
def test_edition_load_malformed_wording_is_refused_naming_file_code_and_language(
    countries, tmp_path, case, code, change, message
):
    path = write_variant(tmp_path, change)
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value).startswith(f"{path}: question {code}: ")
    assert message in str(raised.value)
    assert Edition.objects.count() == 0
    assert Question.objects.count() == 0


def test_edition_load_section_title_missing_a_language_is_refused(edition, tmp_path):
    def change(data):
        del data["sections"][2]["title"]["zh-hans"]

    path = write_variant(tmp_path, change)
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value) == (
        f"{path}: section 'legal-framework': language zh-hans: missing text for title"
    )
    # The loaded edition keeps its Chinese section title.
    assert Section.objects.get(code="legal-framework").translations["zh-hans"]["title"] == (
        "法律框架"
    )


def test_edition_load_language_used_once_must_cover_every_text(countries, tmp_path):
    """An English file with one French text: French must then give every other text too."""

    def change(data):
        english = english_only(data)
        data.clear()
        data.update(english)
        first_question(data, "q1")["text"] = {"en": "What is…", "fr": "Quel est…"}

    path = write_variant(tmp_path, change)
    with pytest.raises(EditionFileError) as raised:
        edition_load(path=path)
    assert str(raised.value) == (
        f"{path}: edition: language fr: missing text for title, introduction, consent text, "
        "closing text, footnote 1 term, footnote 1 text"
    )
    assert Edition.objects.count() == 0
