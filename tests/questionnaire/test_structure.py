"""The edition's structure is read once per process and read again when the edition changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.models import Edition, Question
from questionnaire.structure import edition_structure

pytestmark = pytest.mark.django_db


def _question_text(code: str) -> str:
    edition = Edition.objects.get(code="msq-2020")
    structure = edition_structure(edition=edition)
    return next(question.text for question in structure.questions if question.code == code)


def test_edition_structure_read_once_while_the_edition_is_unchanged(edition):
    edition_structure(edition=Edition.objects.get(pk=edition.pk))

    with CaptureQueriesContext(connection) as queries:
        structure = edition_structure(edition=Edition.objects.get(pk=edition.pk))

    assert len(queries.captured_queries) == 1  # the edition row only
    assert [section.code for section in structure.sections][:2] == [
        "institutional-framework",
        "strategy-and-implementation",
    ]


def test_edition_structure_read_again_after_a_load_in_another_process(edition):
    before = _question_text("q1")
    # What a loader in another process does: rows changed without this process's signals,
    # and Edition.loaded_at moved forward in the same transaction.
    Question.objects.filter(edition=edition, code="q1").update(text="Changed by a new file")
    assert _question_text("q1") == before  # same loaded_at: the cached copy is kept

    Edition.objects.filter(pk=edition.pk).update(loaded_at=timezone.now())

    assert _question_text("q1") == "Changed by a new file"


def test_edition_load_that_changes_a_question_moves_loaded_at_forward(edition, tmp_path):
    source = edition_path("msq-2020").read_text()
    changed = tmp_path / "msq-2020.yaml"
    marker = "What is the official e-government portal at the national level?"
    assert marker in source
    changed.write_text(source.replace(marker, "Which is the national e-government portal?", 1))
    loaded_at = Edition.objects.get(pk=edition.pk).loaded_at
    _question_text("q1")

    edition_load(path=changed)

    assert Edition.objects.get(pk=edition.pk).loaded_at > loaded_at
    assert _question_text("q1").startswith("Which is the national e-government portal?")
