"""An edition's life: the state table, the one-open rule (service and database), the events,
and that closing never touches a draft."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from questionnaire.editions.lifecycle import (
    EditionLifecycleError,
    edition_transition,
    lifecycle_preview,
)
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.states import (
    EDITION_ALLOWED_FROM,
    EDITION_LEADS_TO,
    EditionAction,
    EditionState,
    edition_action_allowed,
)
from questionnaire.models import Edition, EditionEvent, Submission
from questionnaire.selectors import NoOpenEditionError, edition_current, edition_for_reviewers
from tests.factories import submission_full

EXAMPLE = "msq-2022-example"


@pytest.fixture
def example(edition) -> Edition:
    """msq-2022-example loaded after msq-2020 (open): planned."""
    return edition_load(path=edition_path(EXAMPLE)).edition


def _state(edition: Edition) -> str:
    return Edition.objects.values_list("state", flat=True).get(pk=edition.pk)


@pytest.mark.parametrize("action", list(EditionAction))
@pytest.mark.parametrize("state", list(EditionState))
def test_transition_follows_the_state_table(example, reviewer, edition, state, action):
    # The example alone is moved: msq-2020 is closed first so that no open edition is in the way.
    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)
    Edition.objects.filter(pk=example.pk).update(state=state)
    example.refresh_from_db()
    if state in EDITION_ALLOWED_FROM[action]:
        edition_transition(edition=example, action=action, actor=reviewer)
        assert _state(example) == EDITION_LEADS_TO[action]
        event = EditionEvent.objects.filter(edition=example).last()
        assert (event.action, event.before, event.after, event.actor) == (
            action,
            state,
            EDITION_LEADS_TO[action],
            reviewer,
        )
    else:
        with pytest.raises(EditionLifecycleError, match="from which this is not possible"):
            edition_transition(edition=example, action=action, actor=reviewer)
        assert _state(example) == state
        assert not EditionEvent.objects.filter(edition=example).exists()
    assert edition_action_allowed(state, action) == (state in EDITION_ALLOWED_FROM[action])


def test_loaded_edition_is_planned_and_a_reload_keeps_its_state(example, edition):
    assert example.state == EditionState.PLANNED
    Edition.objects.filter(pk=edition.pk).update(state=EditionState.CLOSED)
    edition_load(path=edition_path("msq-2020"))
    assert _state(edition) == EditionState.CLOSED


def test_open_while_another_is_open_is_refused_and_changes_nothing(example, edition, reviewer):
    with pytest.raises(EditionLifecycleError, match="msq-2020 is open, and only one edition"):
        edition_transition(edition=example, action=EditionAction.OPEN, actor=reviewer)
    assert (_state(edition), _state(example)) == (EditionState.OPEN, EditionState.PLANNED)
    assert not EditionEvent.objects.exists()


def test_open_with_close_other_closes_the_open_one_first_and_records_both(
    example, edition, reviewer
):
    events = edition_transition(
        edition=example, action=EditionAction.OPEN, actor=reviewer, close_other=True
    )
    assert (_state(edition), _state(example)) == (EditionState.CLOSED, EditionState.OPEN)
    assert [(e.edition, e.action) for e in events] == [
        (edition, EditionAction.CLOSE),
        (example, EditionAction.OPEN),
    ]
    assert edition_current() == example


def test_one_open_edition_is_a_database_constraint(example, edition):
    # Even a write that bypasses the service cannot open a second edition.
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(pk=example.pk).update(state=EditionState.OPEN)
    assert _state(example) == EditionState.PLANNED


def test_close_keeps_every_draft_and_counts_them(
    edition, reviewer, country_a, country_b, focal_point
):
    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    returned = submission_full(
        edition=edition, country=country_b, status=Submission.Status.RETURNED
    )
    answers_before = draft.answers.count()
    assert lifecycle_preview(edition=edition, action=EditionAction.CLOSE).drafts == 2

    [event] = edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)

    assert event.drafts == 2
    draft.refresh_from_db()
    returned.refresh_from_db()
    assert (draft.status, returned.status) == (Submission.Status.DRAFT, Submission.Status.RETURNED)
    assert draft.answers.count() == answers_before
    # Read-only for its officials now.
    assert not draft.is_editable_by_country and not returned.is_editable_by_country


def test_reopen_makes_drafts_editable_again(edition, reviewer, country_a):
    draft = submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT)
    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)
    edition_transition(edition=edition, action=EditionAction.REOPEN, actor=reviewer)
    draft.refresh_from_db()
    assert draft.is_editable_by_country


def test_no_open_edition_raises_for_officials_and_reviewers_see_the_last_closed(
    example, edition, reviewer
):
    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)
    with pytest.raises(NoOpenEditionError):
        edition_current()
    # Reviewers go on with the closed edition, not the planned newer one.
    assert edition_for_reviewers() == edition
    edition_transition(edition=edition, action=EditionAction.ARCHIVE, actor=reviewer)
    assert edition_for_reviewers() == example


def test_load_edition_open_opens_a_planned_edition_only_when_none_is_open(countries, capsys):
    call_command("load_edition", "msq-2020", "--open")
    assert edition_current().code == "msq-2020"
    call_command("load_edition", EXAMPLE, "--open")
    output = capsys.readouterr().out
    assert "msq-2022-example: not opened (msq-2020 is open)" in output
    assert Edition.objects.get(code=EXAMPLE).state == EditionState.PLANNED
    # make run again: msq-2020 stays open, nothing else happens.
    call_command("load_edition", "msq-2020", "--open")
    assert "msq-2020: open." in capsys.readouterr().out
    assert EditionEvent.objects.filter(action=EditionAction.OPEN, actor=None).count() == 1
