"""What changed in an answer, in words, part by part: the one diff of the history and of an
answer beside the previous edition's (questionnaire.answer_changes)."""

import html

from django.utils import translation
from django.utils.html import strip_tags

from questionnaire.answer_changes import answer_changes
from questionnaire.models import Question


def _read(parts) -> list[tuple[str, list[str]]]:
    return [
        (part.label, [html.unescape(strip_tags(change.as_html())) for change in part.changes])
        for part in parts
    ]


def test_answer_changes_in_french_names_parts_and_options_in_french(edition):
    q15 = Question.objects.get(edition=edition, code="q15")
    with translation.override("fr"):
        parts = answer_changes(
            question=q15,
            before={"answer": {"selected": ["ai"], "other": ""}},
            after={"answer": {"selected": ["blockchain"], "other": ""}},
        )
        assert _read(parts) == [
            (
                "Réponse",
                ["Décoché : Intelligence artificielle (IA)", "Coché : Chaîne de blocs"],
            )
        ]


def test_answer_changes_in_english_names_options_as_the_edition_does(edition):
    q15 = Question.objects.get(edition=edition, code="q15")
    parts = answer_changes(
        question=q15,
        before={"answer": {"selected": ["ai"], "other": ""}},
        after={"answer": {"selected": ["blockchain"], "other": ""}},
    )
    assert _read(parts) == [
        ("Answer", ["Unticked Artificial Intelligence (AI)", "Ticked Blockchain"])
    ]


def test_answer_changes_only_of_the_parts_named_and_changed(edition):
    q15 = Question.objects.get(edition=edition, code="q15")
    same = {"selected": ["ai"], "other": ""}
    parts = answer_changes(
        question=q15,
        before={"answer": same, "details": "A strategy <b>"},
        after={"answer": same, "details": "Two strategies", "links": [{"url": "https://a.uz"}]},
        names={"answer", "details"},
    )
    assert _read(parts) == [
        (
            "Details and comments",
            ["Changed the answer from A strategy <b> to Two strategies"],
        )
    ]
    # Every value escaped.
    assert "A strategy &lt;b&gt;" in parts[0].changes[0].as_html()
