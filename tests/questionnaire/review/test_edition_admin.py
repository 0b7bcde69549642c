"""The Edition admin's lifecycle actions: a confirmation page saying what happens (drafts kept,
another open edition closed with it), then the service; reviewers only."""

import pytest
from django.urls import reverse

from accounts.models import Country
from questionnaire.editions.lifecycle import edition_transition
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.states import EditionAction, EditionState
from questionnaire.models import Edition, EditionEvent, Submission
from tests.factories import OfficialFactory, UserFactory, submission_full


@pytest.fixture
def example(edition) -> Edition:
    return edition_load(path=edition_path("msq-2022-example")).edition


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def drafts(edition, country_a, country_b):
    """Two drafts (one started, one returned) and one submitted, of msq-2020."""
    return [
        submission_full(edition=edition, country=country_a, status=Submission.Status.DRAFT),
        submission_full(edition=edition, country=country_b, status=Submission.Status.RETURNED),
        submission_full(
            edition=edition,
            country=Country.objects.get(iso3="KAZ"),
            status=Submission.Status.SUBMITTED,
        ),
    ]


def _url(edition: Edition, action: str) -> str:
    return reverse("admin:questionnaire_edition_lifecycle", args=[edition.pk, action])


def _state(edition: Edition) -> str:
    return Edition.objects.values_list("state", flat=True).get(pk=edition.pk)


def test_edition_page_offers_the_actions_its_state_allows(reviewer_client, edition, example):
    change = reviewer_client.get(reverse("admin:questionnaire_edition_change", args=[edition.pk]))
    assert _url(edition, "close") in change.content.decode()
    assert _url(edition, "open") not in change.content.decode()
    listed = reviewer_client.get(reverse("admin:questionnaire_edition_changelist")).content
    assert _url(example, "open").encode() in listed
    assert _url(example, "archive").encode() in listed


def test_close_asks_for_confirmation_with_the_number_of_drafts(reviewer_client, edition, drafts):
    response = reviewer_client.get(_url(edition, "close"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>2 drafts</strong>" in page
    assert "They are kept: nothing is deleted." in " ".join(page.split())
    assert _state(edition) == EditionState.OPEN  # opening the page changes nothing


def test_close_without_the_box_ticked_changes_nothing(reviewer_client, edition, drafts):
    response = reviewer_client.post(_url(edition, "close"), {})
    assert response.status_code == 400
    assert "Tick the box to confirm: nothing changed." in response.content.decode()
    assert _state(edition) == EditionState.OPEN
    assert not EditionEvent.objects.exists()


def test_close_confirmed_closes_and_keeps_every_draft(reviewer_client, reviewer, edition, drafts):
    before = {s.pk: (s.status, s.answers.count()) for s in drafts}

    response = reviewer_client.post(_url(edition, "close"), {"confirm": "yes"}, follow=True)

    assert "Edition msq-2020 is closed" in response.content.decode()
    assert _state(edition) == EditionState.CLOSED
    after = {
        s.pk: (s.status, s.answers.count())
        for s in Submission.objects.filter(pk__in=[s.pk for s in drafts])
    }
    assert after == before
    event = EditionEvent.objects.get()
    assert (event.action, event.actor, event.drafts) == (EditionAction.CLOSE, reviewer, 2)


def test_open_while_another_is_open_names_it_and_needs_its_close_confirmed(
    reviewer_client, edition, example, drafts
):
    page = reviewer_client.get(_url(example, "open")).content.decode()
    assert "<strong>msq-2020</strong> is open now" in page
    assert "Its 2 drafts are kept, read-only." in page

    refused = reviewer_client.post(_url(example, "open"), {"confirm": "yes"})
    assert refused.status_code == 400
    assert "Tick the box to close it in the same step" in refused.content.decode()
    assert (_state(edition), _state(example)) == (EditionState.OPEN, EditionState.PLANNED)

    reviewer_client.post(_url(example, "open"), {"confirm": "yes", "close_other": "yes"})
    assert (_state(edition), _state(example)) == (EditionState.CLOSED, EditionState.OPEN)
    assert list(EditionEvent.objects.values_list("edition__code", "action")) == [
        ("msq-2020", "close"),
        ("msq-2022-example", "open"),
    ]


def test_action_the_state_does_not_allow_is_refused(reviewer_client, edition):
    page = reviewer_client.get(_url(edition, "reopen")).content.decode()
    assert "This action is not possible" in page
    response = reviewer_client.post(_url(edition, "reopen"), {"confirm": "yes"})
    assert response.status_code == 400
    assert _state(edition) == EditionState.OPEN


def test_unknown_action_is_404(reviewer_client, edition):
    assert reviewer_client.get(_url(edition, "delete")).status_code == 404


@pytest.mark.parametrize("who", ["official", "staff"])
def test_lifecycle_refused_to_anyone_but_reviewers(client, edition, country_a, who):
    user = OfficialFactory(country=country_a) if who == "official" else UserFactory(is_staff=True)
    client.force_login(user)
    response = client.post(_url(edition, "close"), {"confirm": "yes"})
    assert response.status_code in {302, 403}
    assert _state(edition) == EditionState.OPEN


@pytest.fixture
def archived(edition, reviewer) -> Edition:
    """msq-2020 closed, then archived, by a reviewer."""
    edition_transition(edition=edition, action=EditionAction.CLOSE, actor=reviewer)
    edition_transition(edition=edition, action=EditionAction.ARCHIVE, actor=reviewer)
    return edition


def test_archived_edition_offers_unarchive(reviewer_client, archived):
    page = reviewer_client.get(
        reverse("admin:questionnaire_edition_change", args=[archived.pk])
    ).content.decode()
    assert _url(archived, "unarchive") in page
    assert _url(archived, "reopen") not in page


def test_unarchive_confirmed_closes_the_edition_again_and_records_it(
    reviewer_client, reviewer, archived
):
    confirm = reviewer_client.get(_url(archived, "unarchive"))
    assert confirm.status_code == 200
    assert "Unarchive msq-2020?" in confirm.content.decode()
    assert "reopening the edition is a separate step" in confirm.content.decode()
    assert _state(archived) == EditionState.ARCHIVED  # the page alone changes nothing

    response = reviewer_client.post(_url(archived, "unarchive"), {"confirm": "yes"}, follow=True)

    assert "Edition msq-2020 is unarchived: it is closed" in response.content.decode()
    assert _state(archived) == EditionState.CLOSED
    event = EditionEvent.objects.order_by("id").last()
    assert (event.action, event.before, event.after, event.actor) == (
        EditionAction.UNARCHIVE,
        EditionState.ARCHIVED,
        EditionState.CLOSED,
        reviewer,
    )
    # The edition's history on its pages names it.
    assert "Unarchived" in reviewer_client.get(_url(archived, "reopen")).content.decode()


def test_unarchive_without_the_box_ticked_changes_nothing(reviewer_client, archived):
    response = reviewer_client.post(_url(archived, "unarchive"), {})
    assert response.status_code == 400
    assert "Tick the box to confirm: nothing changed." in response.content.decode()
    assert _state(archived) == EditionState.ARCHIVED
    assert not EditionEvent.objects.filter(action=EditionAction.UNARCHIVE).exists()


@pytest.mark.parametrize("state", [EditionState.OPEN, EditionState.CLOSED, EditionState.PLANNED])
def test_unarchive_of_an_edition_not_archived_is_refused(reviewer_client, edition, state):
    Edition.objects.filter(pk=edition.pk).update(state=state)
    label = EditionState(state).label

    page = reviewer_client.get(_url(edition, "unarchive")).content.decode()
    assert f"This action is not possible from the state “{label}”." in page
    response = reviewer_client.post(_url(edition, "unarchive"), {"confirm": "yes"})

    assert response.status_code == 400
    assert (
        f"msq-2020 is in the state “{label}”, from which this is not possible."
        in response.content.decode()
    )
    assert _state(edition) == state
    assert not EditionEvent.objects.exists()


@pytest.mark.parametrize("who", ["official", "staff"])
def test_unarchive_refused_to_anyone_but_reviewers(client, archived, country_a, who):
    user = OfficialFactory(country=country_a) if who == "official" else UserFactory(is_staff=True)
    client.force_login(user)
    response = client.post(_url(archived, "unarchive"), {"confirm": "yes"})
    assert response.status_code in {302, 403}
    assert _state(archived) == EditionState.ARCHIVED
