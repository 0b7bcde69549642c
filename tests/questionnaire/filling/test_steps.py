from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.filling.steps import (
    ReviewStep,
    SectionState,
    SectionStep,
    flow_context,
    flow_steps,
)


def _context(edition, country, user, values=None):
    submission = submission_get_or_create(edition=edition, country=country, user=user)
    if values:
        answers_save(submission=submission, user=user, values=values, base_version=1)
    return flow_context(submission=submission, edition=edition)


def _state(context, code):
    step = next(s for s in flow_steps(context) if s.identifier == code)
    return step.state(context)


def test_flow_steps_one_per_section_then_review(edition, country_a, focal_point):
    context = _context(edition, country_a, focal_point)
    steps = flow_steps(context)
    assert [step.identifier for step in steps[:-1]] == list(
        edition.sections.order_by("order").values_list("code", flat=True)
    )
    assert all(isinstance(step, SectionStep) for step in steps[:-1])
    assert isinstance(steps[-1], ReviewStep)
    assert not steps[-1].is_completed(context)


def test_section_state_not_started_in_progress_complete_has_problems(
    edition, country_a, focal_point
):
    context = _context(
        edition,
        country_a,
        focal_point,
        {
            "q1": {"links": [{"name": "Portal", "url": "my.gov.uz", "note": ""}]},
            "q6": {"answer": "yes"},
            "q7": {"answer": "no"},
            # Complete means every shown question answered, optional ones too
            # (questionnaire.progress): q8 and q11 (shown by q10) are answered.
            "q8": {"details": "Digital Uzbekistan 2030"},
            "q10": {"answer": "yes"},
            "q11": {"details": "Yes, yearly"},
            "q17": {"answer": {"value": "120", "comment": ""}},
        },
    )
    assert _state(context, "institutional-framework") == SectionState.IN_PROGRESS
    assert _state(context, "strategy-and-implementation") == SectionState.COMPLETE
    assert _state(context, "usage-of-online-services") == SectionState.COMPLETE
    assert _state(context, "indicators") == SectionState.HAS_PROBLEMS
    assert _state(context, "social-media") == SectionState.NOT_STARTED


def test_progress_counts_shown_questions_answered_without_problems(edition, country_a, focal_point):
    empty = _context(edition, country_a, focal_point)
    done, total = empty.progress.done, empty.progress.total
    assert done == 0
    # q11 and q13 are hidden until q10 / q12 are "yes".
    assert total == edition.questions.count() - 2
    context = _context(
        edition, country_a, focal_point, {"q10": {"answer": "yes"}, "q14": {"details": "x"}}
    )
    assert (context.progress.done, context.progress.total) == (2, total + 1)


def test_section_state_in_progress_while_an_optional_question_is_empty(
    edition, country_a, focal_point
):
    # q6 and q7 hold their required answers but q8 (optional) is empty: the section is not
    # Complete, as the overview does not count q8 as answered either.
    context = _context(
        edition, country_a, focal_point, {"q6": {"answer": "yes"}, "q7": {"answer": "no"}}
    )
    assert _state(context, "strategy-and-implementation") == SectionState.IN_PROGRESS
    context = _context(edition, country_a, focal_point, {"q8": {"details": "Strategy 2030"}})
    assert _state(context, "strategy-and-implementation") == SectionState.COMPLETE


def test_overview_shows_states_progress_and_links(client, edition, country_a, focal_point):
    _context(
        edition,
        country_a,
        focal_point,
        {"q6": {"answer": "yes"}, "q7": {"answer": "no"}, "q8": {"details": "Strategy 2030"}},
    )
    client.force_login(focal_point)
    page = client.get("/").content.decode()
    assert '<progress id="overall-progress"' in page
    assert 'href="/section/strategy-and-implementation/"' in page
    assert "Complete" in page and "Not started" in page
    assert 'href="/review/"' in page


def test_section_state_decided_by_problem_codes_not_their_language(
    edition, country_a, focal_point, monkeypatch
):
    """Problems worked out in French (an official's request), the state asked in English (the
    sign-in hook switches language mid-request): missing answers are still "in progress"."""
    from django.utils import translation
    from django.utils.translation import trans_real

    from questionnaire.kinds import Problem

    french = trans_real.translation("fr")._catalog
    monkeypatch.setitem(french._catalogs[0], "This needs an answer.", "Réponse requise.")
    portal = {"name": "Portal", "url": "https://my.gov.uz", "note": ""}
    context = _context(edition, country_a, focal_point, {"q1": {"links": [portal]}})
    with translation.override("fr"):
        problems = context.problems
    assert {problem.code for messages in problems.values() for problem in messages} == {
        Problem.MISSING
    }
    assert "Réponse requise." in problems["q3"]

    with translation.override("en"):
        assert _state(context, "institutional-framework") == SectionState.IN_PROGRESS
