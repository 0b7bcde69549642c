"""A new edition's draft prefilled from the country's previous answers through the lineage,
the carried-over marks, and their confirmation (issue 15)."""

import pytest

from questionnaire.carried import carried_marks
from questionnaire.filling.confirming import carried_confirm
from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.models import Answer, Question, Submission, SubmissionEvent
from tests.factories import answers_full, submission_full
from tests.questionnaire.editions.helpers import example_edition_load, make_edition_current


@pytest.fixture
def example(edition):
    example = example_edition_load()
    # Officials answer it now (2020 closed): drafts are written to the open edition only.
    make_edition_current(example)
    return example


@pytest.fixture
def submitted_2020(edition, country_a, focal_point) -> Submission:
    return submission_full(edition=edition, country=country_a, submitted_by=focal_point)


def stored(submission: Submission) -> dict[str, dict]:
    return dict(submission.answers.values_list("question__code", "value"))


def test_prefill_carries_2020_answers_through_the_lineage(
    example, edition, submitted_2020, country_a, focal_point
):
    previous = stored(submitted_2020)
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    values = stored(draft)
    # Same shape: copied.
    assert values["q6"] == previous["q6"]
    # Renamed choices: through the map (quantum_computing dropped, two merged into one).
    selected = values["q15"]["technologies"]["selected"]
    assert "artificial_intelligence" in selected and "ai" not in selected
    assert selected.count("extended_reality") == 1
    assert "quantum_computing" not in selected
    # Split: each new question takes its parts.
    assert values["q4"] == {"answer": previous["q4"]["answer"]}
    assert values["q4b"] == {"contact": previous["q4"]["contact"]}
    # Merged: q10 takes 2020's q10 and q11.
    assert values["q10"]["links"] == previous["q11"]["links"]
    # New questions are left empty; the dropped q21 is nowhere.
    assert "q2f" not in values and "q25" not in values and "q21" not in values


def test_prefill_marks_every_carried_answer_and_records_one_event(
    example, submitted_2020, country_a, focal_point
):
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    answers = Answer.objects.filter(submission=draft)
    assert answers.count() == answers.filter(carried_from_edition__code="msq-2020").count()
    assert not answers.filter(carried_confirmed_at__isnull=False).exists()
    (event,) = draft.events.filter(kind=SubmissionEvent.Kind.PREFILLED)
    assert event.after == {"count": answers.count(), "editions": ["msq-2020"]}
    assert event.actor == focal_point
    # Every example question with lineage and an answer in 2020 is carried: 38 of 40.
    assert answers.count() == 38


def test_prefill_nothing_without_a_sent_previous_submission(
    example, edition, country_a, focal_point
):
    submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    assert not draft.answers.exists()
    assert not draft.events.filter(kind=SubmissionEvent.Kind.PREFILLED).exists()


def test_prefill_takes_only_the_country_own_answers(
    example, edition, submitted_2020, country_b, outsider
):
    draft = submission_get_or_create(edition=example, country=country_b, user=outsider)
    assert not draft.answers.exists()


def test_prefill_leaves_out_hidden_parts_of_the_previous_answers(
    example, edition, country_a, focal_point
):
    values = answers_full(edition)
    values["q4"]["answer"] = "no"  # the CIO's contact is hidden: not carried
    submission_full(edition=edition, country=country_a, submitted_by=focal_point, values=values)
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    assert stored(draft)["q4"] == {"answer": "no"}
    assert "q4b" not in stored(draft)


def test_carried_confirm_one_question_records_who_and_an_event(
    example, submitted_2020, country_a, focal_point, contributor
):
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    q6 = Question.objects.get(edition=example, code="q6")
    assert carried_confirm(submission=draft, user=contributor, questions=[q6]) == ["q6"]
    answer = draft.answers.get(question=q6)
    assert answer.carried_confirmed_by == contributor and answer.carried_confirmed_at
    (event,) = draft.events.filter(kind=SubmissionEvent.Kind.CARRIED_CONFIRMED)
    assert (event.actor, event.question) == (contributor, q6)
    # Confirming again changes nothing.
    version = Submission.objects.get(pk=draft.pk).version
    assert carried_confirm(submission=draft, user=contributor, questions=[q6]) == []
    assert Submission.objects.get(pk=draft.pk).version == version


def test_carried_confirm_a_section_confirms_each_of_its_answers(
    example, submitted_2020, country_a, focal_point
):
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    section = example.sections.get(code="institutional-framework")
    questions = list(section.questions.all())
    confirmed = carried_confirm(submission=draft, user=focal_point, questions=questions)
    carried = [q.code for q in questions if q.id in carried_marks(submission=draft)]
    assert confirmed == carried and len(confirmed) > 5
    events = draft.events.filter(kind=SubmissionEvent.Kind.CARRIED_CONFIRMED)
    assert sorted(events.values_list("question__code", flat=True)) == sorted(confirmed)
    assert all(
        mark.is_confirmed
        for mark in carried_marks(submission=draft).values()
        if mark.question_id in {q.id for q in questions}
    )


def test_answers_save_changing_a_carried_answer_confirms_it(
    example, submitted_2020, country_a, focal_point, contributor
):
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    saved = answers_save(
        submission=draft,
        user=contributor,
        values={"q6": {"details": "Digital Uzbekistan 2030, revised"}, "q7": {"details": "New"}},
        base_version=draft.version,
    )
    answers = {a.question.code: a for a in saved.answers.select_related("question")}
    assert answers["q6"].carried_confirmed_by == contributor
    assert answers["q7"].carried_confirmed_by == contributor
    # An answer not changed stays waiting.
    assert answers["q8"].carried_confirmed_at is None


def test_answers_save_one_change_confirms_only_that_answer(
    example, submitted_2020, country_a, focal_point
):
    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    answers_save(
        submission=draft,
        user=focal_point,
        values={"q6": {"details": "Changed"}},
        base_version=draft.version,
    )
    marks = {m.question_id: m for m in carried_marks(submission=draft).values()}
    q6 = Question.objects.get(edition=example, code="q6")
    assert marks[q6.id].confirmed_by_id == focal_point.pk
    assert sum(mark.is_confirmed for mark in marks.values()) == 1


def test_carried_confirm_another_country_is_refused(
    example, submitted_2020, country_a, focal_point, outsider
):
    from questionnaire.filling.errors import SubmissionNotAllowedError

    draft = submission_get_or_create(edition=example, country=country_a, user=focal_point)
    q6 = Question.objects.get(edition=example, code="q6")
    with pytest.raises(SubmissionNotAllowedError):
        carried_confirm(submission=draft, user=outsider, questions=[q6])
    assert not draft.answers.filter(carried_confirmed_at__isnull=False).exists()
