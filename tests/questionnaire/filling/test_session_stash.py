"""The save that arrived after the session expired belongs to the official who typed it,
and only for MSQ_STASH_MAX_AGE_SECONDS (questionnaire.filling.session_stash)."""

import time

import pytest
from django.core import signing

from questionnaire.filling import session_stash
from questionnaire.filling.services import submission_get_or_create
from tests.factories import TEST_PASSWORD
from tests.questionnaire.filling.test_views import SECTION_VI, page, section, stored
from tests.questionnaire.filling_helpers import section_data


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


def _expired_post(client, edition, submission, official, text: str) -> dict:
    """The form `official` had open, posted after their session ended."""
    client.force_login(official)
    data = section_data(
        section(edition, SECTION_VI), submission=submission, overrides={"q14-details-value": text}
    )
    data["owner"] = (
        page(client.get(f"/section/{SECTION_VI}/")).split('name="owner" value="')[1].split('"')[0]
    )
    client.logout()
    return data


def _sign_in_and_open(client, official):
    credentials = {"username": official.email, "password": TEST_PASSWORD}
    signed = client.post("/accounts/login/", credentials)
    assert signed.status_code == 302
    return client.get(f"/section/{SECTION_VI}/", follow=True)


def test_stash_saved_for_the_official_who_typed_it(client, edition, submission, focal_point):
    data = _expired_post(client, edition, submission, focal_point, "Mine, typed before expiry")
    client.post(f"/section/{SECTION_VI}/", data)
    _sign_in_and_open(client, focal_point)
    assert stored(submission)["q14"] == {"details": "Mine, typed before expiry"}


def test_stash_never_applied_for_a_colleague_of_the_same_country(
    client, edition, submission, focal_point, contributor
):
    """On a shared computer, the focal point's unsaved form must not be saved in the name of
    the contributor who signs in next."""
    data = _expired_post(client, edition, submission, focal_point, "The focal point's text")
    client.post(f"/section/{SECTION_VI}/", data)
    _sign_in_and_open(client, contributor)
    assert "q14" not in stored(submission)
    # And it is gone from the session: it does not wait for the next person either.
    assert session_stash.STASH_KEY not in client.session


def test_stash_token_older_than_the_limit_refused(
    client, edition, submission, focal_point, settings, monkeypatch
):
    settings.MSQ_STASH_MAX_AGE_SECONDS = 12 * 60 * 60
    data = _expired_post(client, edition, submission, focal_point, "Left open for days")
    later = time.time() + 12 * 60 * 60 + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(f"/section/{SECTION_VI}/", data)
    assert response.status_code == 302  # to the sign-in page, without keeping the form
    assert session_stash.STASH_KEY not in client.session
    monkeypatch.undo()
    _sign_in_and_open(client, focal_point)
    assert "q14" not in stored(submission)


def test_stash_token_naming_only_a_country_refused(client, edition, submission, focal_point):
    """Tokens of the earlier kind (the country alone, valid for a week) no longer carry a save."""
    data = _expired_post(client, edition, submission, focal_point, "Old page")
    data["owner"] = signing.dumps(
        {"country": submission.country_id}, salt="questionnaire.filling.session_stash"
    )
    client.post(f"/section/{SECTION_VI}/", data)
    assert session_stash.STASH_KEY not in client.session
