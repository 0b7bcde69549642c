"""The filling flow through HTTP, as an official's browser uses it (without JavaScript)."""

import html
import itertools
import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from questionnaire.filling.services import submission_get_or_create
from questionnaire.filling.submitting import consent_set
from questionnaire.models import Answer, ReviewComment, Submission, SubmissionEvent
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.questionnaire.filling.test_services import COMPLETE, save
from tests.questionnaire.filling_helpers import links_data, section_data

SECTION_I = "institutional-framework"
SECTION_VI = "social-media"


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


@pytest.fixture
def signed_in(client, focal_point):
    client.force_login(focal_point)
    return client


def section(edition, code):
    return edition.sections.get(code=code)


def stored(submission) -> dict:
    return dict(submission.answers.values_list("question__code", "value"))


def page(response) -> str:
    return html.unescape(response.content.decode())


# --- Steps ------------------------------------------------------------------


def test_section_page_shows_questions_numbers_and_footnotes(signed_in, edition):
    response = signed_in.get(f"/section/{SECTION_I}/")
    text = page(response)
    assert response.status_code == 200
    assert "Section I. Institutional Framework" in text
    assert "What is the official e-government portal at the national level?" in text
    assert "2. a." in text and "5. i." in text
    # The footnote is help text tied to the question's fieldset.
    assert 'aria-describedby="q1-footnotes' in text
    assert 'id="q1-footnotes"' in text
    for button in ("Back", "Save draft", "Save and continue"):
        assert button in text


def test_section_unknown_code_is_404(signed_in, edition):
    assert signed_in.get("/section/no-such-section/").status_code == 404


def test_section_save_draft_stores_and_stays(signed_in, edition, submission):
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "Telegram channels of every ministry"},
    )
    response = signed_in.post(f"/section/{SECTION_VI}/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/section/{SECTION_VI}/"
    assert stored(submission)["q14"] == {"details": "Telegram channels of every ministry"}
    follow = signed_in.get(response["Location"])
    assert "Saved at" in page(follow)
    assert "Telegram channels of every ministry" in page(follow)


def test_section_save_and_continue_goes_to_next_step(signed_in, edition, submission):
    data = section_data(section(edition, SECTION_VI), submission=submission, action="continue")
    response = signed_in.post(f"/section/{SECTION_VI}/", data)
    assert response["Location"] == "/section/new-technologies/"


def test_section_back_saves_and_goes_to_previous_step(signed_in, edition, submission):
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "typed before going back"},
        action="back",
    )
    response = signed_in.post(f"/section/{SECTION_VI}/", data)
    assert response["Location"] == "/section/user-satisfaction/"
    assert stored(submission)["q14"] == {"details": "typed before going back"}


def test_section_last_continue_goes_to_review(signed_in, edition, submission):
    last = edition.sections.order_by("-order").first()
    data = section_data(last, submission=submission, action="continue")
    assert signed_in.post(f"/section/{last.code}/", data)["Location"] == "/review/"


def test_section_invalid_values_are_kept_and_shown_inline(signed_in, edition, submission):
    data = section_data(
        section(edition, SECTION_I),
        submission=submission,
        overrides=links_data("q1-links", [{"name": "Portal", "url": "not a url at all"}]),
    )
    signed_in.post(f"/section/{SECTION_I}/", data)
    assert stored(submission)["q1"] == {
        "links": [{"name": "Portal", "url": "not a url at all", "note": ""}]
    }
    text = page(signed_in.get(f"/section/{SECTION_I}/"))
    assert "“not a url at all” does not look like a web address." in text


def test_section_add_another_without_javascript(signed_in, edition, submission):
    rows = [{"name": "Portal", "url": "https://my.gov.uz"}]
    data = section_data(
        section(edition, SECTION_I),
        submission=submission,
        overrides=links_data("q1-links", rows),
        add_row="q1-links",
    )
    response = signed_in.post(f"/section/{SECTION_I}/", data)
    assert response["Location"] == f"/section/{SECTION_I}/?add=q1-links#q1-links"
    assert stored(submission)["q1"]["links"][0]["url"] == "https://my.gov.uz"
    text = page(signed_in.get(response["Location"]))
    assert 'name="q1-links-TOTAL_FORMS" value="2"' in text
    assert 'name="q1-links-1-url"' in text


def test_section_remove_without_javascript(signed_in, edition, submission):
    rows = [
        {"name": "First", "url": "https://one.uz"},
        {"name": "Second", "url": "https://two.uz"},
    ]
    save(submission, signed_in_user(signed_in), {"q1": {"links": rows}})
    data = section_data(section(edition, SECTION_I), submission=submission, remove_row="q1-links-0")
    response = signed_in.post(f"/section/{SECTION_I}/", data)
    assert response.status_code == 302
    assert stored(submission)["q1"]["links"] == [
        {"name": "Second", "url": "https://two.uz", "note": ""}
    ]


def test_section_remove_with_javascript_marker(signed_in, edition, submission):
    rows = [{"name": "First", "url": "https://one.uz"}, {"name": "Second", "url": "https://two.uz"}]
    data = section_data(
        section(edition, SECTION_I),
        submission=submission,
        overrides=links_data("q1-links", rows, deleted=(1,)),
    )
    signed_in.post(f"/section/{SECTION_I}/", data)
    assert [row["name"] for row in stored(submission)["q1"]["links"]] == ["First"]


def signed_in_user(client):
    from django.contrib.auth import get_user

    return get_user(client)


def test_section_too_long_answer_is_refused_with_message(signed_in, edition, submission):
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "é" * 20_001},
    )
    response = signed_in.post(f"/section/{SECTION_VI}/", data)
    text = page(response)
    assert response.status_code == 400
    assert "20001 characters long; the limit is 20000" in text
    # Nothing cut, nothing saved: the typed text is still on the page, whole.
    assert "é" * 20_001 in text
    assert "q14" not in stored(submission)


def test_section_tampered_post_is_refused_without_saving(signed_in, edition, submission):
    data = section_data(section(edition, SECTION_I), submission=submission)
    del data["q1-links-TOTAL_FORMS"]
    data["q3-links-0-url"] = "https://saved-nowhere.uz"
    response = signed_in.post(f"/section/{SECTION_I}/", data)
    assert response.status_code == 400
    assert "Nothing was saved" in page(response)
    assert stored(submission) == {}


def test_section_stale_version_keeps_typed_values_and_names_who(
    signed_in, edition, submission, contributor
):
    opened = section_data(section(edition, SECTION_VI), submission=submission)
    save(submission, contributor, {"q14": {"details": "The contributor's version"}})
    opened["q14-details-value"] = "The focal point's version"
    response = signed_in.post(f"/section/{SECTION_VI}/", opened)
    text = page(response)
    assert response.status_code == 409
    assert contributor.get_full_name() in text
    assert "The focal point's version" in text  # typed value kept in the form
    assert "The contributor's version" in text  # theirs shown beside it
    assert stored(submission)["q14"] == {"details": "The contributor's version"}
    # Saving again from the conflict page is a deliberate replacement.
    submission.refresh_from_db()
    assert f'name="base_version" value="{submission.version}"' in text
    opened["base_version"] = str(submission.version)
    assert signed_in.post(f"/section/{SECTION_VI}/", opened).status_code == 302
    assert stored(submission)["q14"] == {"details": "The focal point's version"}


def test_section_expired_session_keeps_the_post_and_saves_after_sign_in(
    client, edition, submission, focal_point
):
    client.force_login(focal_point)
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "Typed while the session expired"},
    )
    # The token naming the country comes from the page the official had open.
    owner = page(client.get(f"/section/{SECTION_VI}/")).split('name="owner" value="')[1]
    data["owner"] = owner.split('"')[0]
    client.logout()

    response = client.post(f"/section/{SECTION_VI}/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert f"next=/section/{SECTION_VI}/" in response["Location"]
    assert "q14" not in stored(submission)

    signed = client.post(
        "/accounts/login/?next=/section/social-media/",
        {"username": focal_point.email, "password": TEST_PASSWORD},
    )
    assert signed.status_code == 302
    back = client.get(f"/section/{SECTION_VI}/", follow=True)
    assert back.status_code == 200
    assert stored(submission)["q14"] == {"details": "Typed while the session expired"}
    assert "before signing in again was saved" in page(back)


def test_section_expired_session_stash_never_reaches_another_country(
    client, edition, submission, focal_point, outsider
):
    client.force_login(focal_point)
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "Uzbekistan's draft text"},
    )
    data["owner"] = (
        page(client.get(f"/section/{SECTION_VI}/")).split('name="owner" value="')[1].split('"')[0]
    )
    client.logout()
    client.post(f"/section/{SECTION_VI}/", data)
    client.force_login(outsider)
    client.get(f"/section/{SECTION_VI}/")
    assert not Answer.objects.filter(question__code="q14").exists()


def test_conditional_question_hidden_then_shown(signed_in, edition, submission):
    text = page(signed_in.get("/section/usage-of-online-services/"))
    assert 'class="question d-none" id="question-q11"' in text
    assert 'data-show-if-field="q10-answer-value"' in text
    save(submission, signed_in_user(signed_in), {"q10": {"answer": "yes"}})
    text = page(signed_in.get("/section/usage-of-online-services/"))
    assert 'class="question" id="question-q11"' in text


def test_conditional_contact_enforced_on_server(submission, focal_point):
    from questionnaire.filling.services import SubmissionIncompleteError
    from questionnaire.filling.submitting import submission_submit

    values = {**COMPLETE, "q4": {"answer": "yes"}}
    save(submission, focal_point, values)
    consent_set(submission=submission, user=focal_point, consent="granted")
    with pytest.raises(SubmissionIncompleteError) as error:
        submission_submit(submission=submission, user=focal_point)
    assert list(error.value.problems) == ["q4"]
    # With "No", the contact is neither required nor shown, even if one was typed.
    save(submission, focal_point, {"q4": {"answer": "no", "contact": {"name": "Kept"}}})
    submitted = submission_submit(submission=submission, user=focal_point)
    assert submitted.status == Submission.Status.SUBMITTED
    assert stored(submission)["q4"]["contact"]["name"] == "Kept"


# --- Autosave -----------------------------------------------------------------


def test_autosave_form_encoded_returns_version_and_time(signed_in, edition, submission):
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "autosaved"},
    )
    response = signed_in.post(f"/section/{SECTION_VI}/autosave", data)
    assert response.status_code == 200
    body = response.json()
    submission.refresh_from_db()
    assert body["version"] == submission.version == 2
    assert body["saved_at"]
    assert stored(submission)["q14"] == {"details": "autosaved"}


def test_autosave_json_returns_version(signed_in, submission):
    response = signed_in.post(
        f"/section/{SECTION_VI}/autosave",
        json.dumps({"base_version": 1, "values": {"q14": {"details": "from JSON"}}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert stored(submission)["q14"] == {"details": "from JSON"}


def test_autosave_stale_version_is_409_with_who(signed_in, submission, contributor):
    save(submission, contributor, {"q14": {"details": "theirs"}})
    response = signed_in.post(
        f"/section/{SECTION_VI}/autosave",
        json.dumps({"base_version": 1, "values": {"q14": {"details": "mine"}}}),
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"  # static/js/filling.js decides by it, never by the text
    assert body["conflicts"][0]["question"] == "q14"
    assert body["conflicts"][0]["who"] == contributor.get_full_name()
    assert contributor.get_full_name() in body["error"]
    assert stored(submission)["q14"] == {"details": "theirs"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        (json.dumps({"values": {"q14": {"details": "x"}}}), "application/json"),
        (json.dumps({"base_version": 1, "values": {"q1": {"links": []}}}), "application/json"),
        (json.dumps({"base_version": 1, "values": {"q14": {"zzz": "x"}}}), "application/json"),
        (json.dumps([1, 2, 3]), "application/json"),
        (
            json.dumps({"base_version": 1, "values": {"q14": {"details": "a\x00b"}}}),
            "application/json",
        ),
        (
            json.dumps({"base_version": 1, "values": {"q14": {"details": "a\ud800b"}}}),
            "application/json",
        ),
    ],
)
def test_autosave_bad_input_is_400_with_message(signed_in, submission, body, content_type):
    response = signed_in.post(f"/section/{SECTION_VI}/autosave", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"]
    assert response.json()["code"] in {"not_saved", "input"}
    assert stored(submission) == {}


def test_autosave_too_long_is_400_with_limit(signed_in, submission):
    response = signed_in.post(
        f"/section/{SECTION_VI}/autosave",
        json.dumps({"base_version": 1, "values": {"q14": {"details": "x" * 20_001}}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "limit is 20000" in response.json()["problems"]["q14"][0]
    assert stored(submission) == {}


def test_autosave_body_too_large_is_413(signed_in, submission, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = signed_in.post(
        f"/section/{SECTION_VI}/autosave",
        json.dumps({"base_version": 1, "values": {"q14": {"details": "x" * 2_000}}}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert response.json()["code"] == "too_large"


def test_autosave_after_session_expired_keeps_the_form_for_after_sign_in(
    client, edition, submission, focal_point
):
    client.force_login(focal_point)
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "autosaved just after expiry"},
    )
    data["owner"] = (
        page(client.get(f"/section/{SECTION_VI}/")).split('name="owner" value="')[1].split('"')[0]
    )
    client.logout()
    response = client.post(f"/section/{SECTION_VI}/autosave", data)
    assert response.status_code == 401
    assert response.json()["kept"] is True
    assert "q14" not in stored(submission)
    client.force_login(focal_point)
    client.get(f"/section/{SECTION_VI}/", follow=True)
    assert stored(submission)["q14"] == {"details": "autosaved just after expiry"}


def test_autosave_after_session_expired_is_401_with_sign_in(client, edition, submission):
    response = client.post(
        f"/section/{SECTION_VI}/autosave",
        json.dumps({"base_version": 1, "values": {"q14": {"details": "x"}}}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "expired"
    assert response.json()["login_url"].startswith("/accounts/login/")
    assert stored(submission) == {}


# --- Review, consent, submit ----------------------------------------------------


def test_review_lists_missing_items_with_links(signed_in, submission):
    response = signed_in.get("/review/")
    text = page(response)
    assert response.status_code == 200
    assert f'href="/section/{SECTION_I}/#question-q1"' in text
    assert 'href="#consent"' in text
    assert "I/We hereby authorize UNDESA to publish my/our responses as deemed necessary." in text


def test_review_offers_no_submit_while_problems_remain(signed_in, submission):
    text = page(signed_in.get("/review/"))
    assert 'action="/review/submit"' not in text and "Submit the questionnaire" not in text
    assert "You will give or refuse the authorization and submit here once every item" in text
    # The wording stays readable meanwhile.
    assert "I/We hereby authorize UNDESA to publish my/our responses" in text


def test_review_complete_offers_consent_and_submit_in_one_form(signed_in, submission, focal_point):
    save(submission, focal_point, COMPLETE)
    text = page(signed_in.get("/review/"))
    form = text[text.index('<form method="post" action="/review/submit"') :]
    form = form[: form.index("</form>")]
    for part in ('name="consent" value="granted"', 'name="consent" value="refused"'):
        assert part in form
    assert "Submit the questionnaire" in form
    assert "Record my choice" not in text
    assert 'id="submit-ready"' in text


def test_consent_and_submit_in_one_post_records_both_events_and_the_version(
    signed_in, submission, focal_point, monkeypatch
):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    base = submission.version
    response = signed_in.post("/review/submit", {"consent": "granted", "base_version": base})
    assert response["Location"] == "/submission/"
    submission.refresh_from_db()
    assert submission.consent == Submission.Consent.GRANTED
    assert submission.consent_by == focal_point
    assert submission.status == Submission.Status.SUBMITTED
    consented = submission.events.get(kind=SubmissionEvent.Kind.CONSENT_CHANGED)
    submitted = submission.events.get(kind=SubmissionEvent.Kind.SUBMITTED)
    assert (consented.version, submitted.version) == (base + 1, base + 2)
    assert submission.submitted_version == submitted.version == submission.version
    assert submitted.after["consent"] == "granted"
    assert "Authorized to publish" in page(signed_in.get("/submission/"))


def test_refused_consent_is_submitted_too(signed_in, submission, focal_point, monkeypatch):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    response = signed_in.post(
        "/review/submit", {"consent": "refused", "base_version": submission.version}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.consent) == ("submitted", "refused")


def test_submit_without_a_consent_choice_is_an_error(signed_in, submission, focal_point):
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    before = (submission.version, submission.events.count())
    response = signed_in.post("/review/submit", {"base_version": submission.version})
    assert response.status_code == 400
    text = page(response)
    assert "Choose one of the two options." in text
    # The form is shown again, with the error tied to the choice.
    assert 'aria-describedby="consent-errors"' in text
    submission.refresh_from_db()
    assert submission.consent == ""
    assert submission.status == Submission.Status.DRAFT
    assert (submission.version, submission.events.count()) == before


def test_review_shows_consent_read_only_to_contributor(
    client, contributor, focal_point, submission
):
    client.force_login(contributor)
    text = page(client.get("/review/"))
    assert "No choice has been recorded yet." in text
    assert "Only the focal point can give or refuse the authorization." in text
    assert 'action="/review/submit"' not in text and "Record my choice" not in text
    assert 'name="consent"' not in text
    # What is left to do names who can do it.
    assert "The focal point has not yet given or refused the authorization" in text
    assert "Choose whether UNDESA may publish" not in text
    consent_set(submission=submission, user=focal_point, consent="granted")
    text = page(client.get("/review/"))
    assert f"Recorded: Authorized to publish, by {focal_point.full_name} on" in text
    assert 'action="/review/submit"' not in text


def test_consent_and_submit_by_contributor_is_refused_and_changes_nothing(
    client, contributor, focal_point, submission
):
    consent_set(submission=submission, user=focal_point, consent="granted")
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    before = (submission.version, submission.events.count())
    client.force_login(contributor)
    response = client.post(
        "/review/submit", {"consent": "refused", "base_version": submission.version}
    )
    assert response.status_code == 403
    assert "Only your country's focal point can submit" in page(response)
    assert "Only the focal point can give or refuse the authorization." in page(response)
    submission.refresh_from_db()
    assert submission.consent == Submission.Consent.GRANTED
    assert submission.consent_by == focal_point
    assert submission.status == Submission.Status.DRAFT
    assert (submission.version, submission.events.count()) == before


def test_submit_with_missing_answers_is_refused_with_list(signed_in, submission):
    response = signed_in.post(
        "/review/submit", {"consent": "granted", "base_version": submission.version}
    )
    text = page(response)
    assert response.status_code == 400
    assert "cannot be submitted yet" in text
    assert f'href="/section/{SECTION_I}/#question-q3"' in text
    # Not offered again while they remain.
    assert 'action="/review/submit"' not in text
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    # Both or neither: the choice made with the refused submit is not kept.
    assert submission.consent == ""
    assert not submission.events.filter(kind=SubmissionEvent.Kind.CONSENT_CHANGED).exists()


def test_submit_complete_makes_read_only(
    signed_in,
    submission,
    focal_point,
    django_capture_on_commit_callbacks,
    monkeypatch,
    emails_in_process,
):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    save(submission, focal_point, COMPLETE)
    submission.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            "/review/submit", {"consent": "granted", "base_version": submission.version}
        )
    assert response["Location"] == "/submission/"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert len(mail.outbox) == 1
    text = page(signed_in.get("/submission/"))
    assert "Submitted. The PDF will be prepared shortly." in text
    assert "Submitted" in text and "Single portal" in text
    assert "The PDF of your submission is being prepared" in text
    # Read-only now: steps lead to the submission, saves change nothing.
    assert signed_in.get(f"/section/{SECTION_VI}/")["Location"] == "/submission/"
    data = section_data(
        section(submission.edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "changed after submission"},
    )
    assert signed_in.post(f"/section/{SECTION_VI}/", data)["Location"] == "/submission/"
    assert stored(submission)["q14"] == COMPLETE["q14"]


def test_submit_by_contributor_is_refused_and_explained(
    client, contributor, focal_point, submission
):
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent="granted")
    client.force_login(contributor)
    review = page(client.get("/review/"))
    assert "Only your country's focal point can submit" in review
    assert 'action="/review/submit"' not in review
    # Who can: the focal point, by name, with a link to write to them.
    assert f"Your focal point: {focal_point.full_name}" in review
    assert f'href="mailto:{focal_point.email}"' in review
    submission.refresh_from_db()
    response = client.post("/review/submit", {"base_version": submission.version})
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


def test_returned_submission_shows_reviewer_comments_beside_questions(
    signed_in, submission, focal_point, reviewer
):
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RETURNED, submitted_version=1, version=3
    )
    ReviewComment.objects.create(
        submission=submission,
        question=submission.edition.questions.get(code="q14"),
        author=reviewer,
        text="Please name the social media guidelines.",
        version=1,
        # Shown to the country by the return (questionnaire.review.services.submission_return).
        shared_at=timezone.now(),
    )
    text = page(signed_in.get(f"/section/{SECTION_VI}/"))
    assert "Please name the social media guidelines." in text
    assert "returned your submission for revision" in text
    review = page(signed_in.get("/review/"))
    assert "Please name the social media guidelines." in review


# --- Isolation, CSRF, escaping, query budget -------------------------------------


COUNTRY_URLS = [
    ("get", "/"),
    ("get", f"/section/{SECTION_VI}/"),
    ("get", "/review/"),
    ("get", "/submission/"),
]


def test_outsider_never_sees_or_changes_another_country(
    client, edition, submission, focal_point, outsider
):
    save(submission, focal_point, {"q14": {"details": "Uzbekistan's secret draft"}})
    before = (stored(submission), submission.events.count(), Submission.objects.count())
    client.force_login(outsider)
    for _method, url in COUNTRY_URLS:
        response = client.get(url, follow=True)
        assert "Uzbekistan's secret draft" not in page(response)
    # Opening the pages wrote nothing: France has no draft until its first save.
    assert not Submission.objects.filter(country=outsider.country).exists()
    # France's own page, posted: it can only ever reach France's draft.
    data = section_data(
        section(edition, SECTION_VI),
        submission=None,
        overrides={"q14-details-value": "overwritten by France"},
    )
    client.post(f"/section/{SECTION_VI}/", data)
    client.post(f"/section/{SECTION_VI}/autosave", data)
    client.post("/review/submit", {"consent": "refused", "base_version": 99})
    submission.refresh_from_db()
    assert (stored(submission), submission.events.count()) == (before[0], before[1])
    assert submission.consent == ""
    assert submission.status == Submission.Status.DRAFT
    # France's own draft got the writes, nothing else.
    france = Submission.objects.get(country=outsider.country)
    assert stored(france)["q14"] == {"details": "overwritten by France"}


@pytest.mark.parametrize("user_fixture", ["reviewer", "staff_without_country"])
def test_non_officials_get_404_on_country_pages(client, edition, request, user_fixture):
    if user_fixture == "staff_without_country":
        user = factories.UserFactory(is_staff=True)
    else:
        user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    for url in (f"/section/{SECTION_VI}/", "/review/", "/submission/"):
        assert client.get(url).status_code == 404
    assert not Submission.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, edition):
    for url in (f"/section/{SECTION_VI}/", "/review/", "/submission/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_csrf_is_enforced_on_every_form(edition, submission, focal_point):
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "forged"},
    )
    for url, payload in [
        (f"/section/{SECTION_VI}/", data),
        (f"/section/{SECTION_VI}/autosave", data),
        ("/review/submit", {"consent": "granted", "base_version": submission.version}),
        ("/accounts/time-zone/", {"time_zone": "Asia/Tashkent"}),
    ]:
        assert client.post(url, payload).status_code == 403, url
    submission.refresh_from_db()
    assert stored(submission) == {} and submission.consent == ""
    focal_point.refresh_from_db()
    assert focal_point.time_zone == "UTC"
    # With the token from the page, the same post goes through.
    token = client.get(f"/section/{SECTION_VI}/").cookies["csrftoken"].value
    data["csrfmiddlewaretoken"] = token
    assert client.post(f"/section/{SECTION_VI}/", data).status_code == 302


REAL_URLS = [
    "www.ek.uz",
    "https://my.gov.uz/#!/welcome",
    "https://www.google.com/search?q=%D0%B3%D0%BE%D1%81%D1%83%D1%81%D0%BB%D1%83%D0%B3%D0%B8",
    "https://gov.uz (main portal, in Uzbek and Russian)",
    "http://stat.uz/ru/?option=com_content&view=article&id=1",
    "data.egov.uz/eng",
]


def test_real_world_urls_and_emails_are_stored_and_shown_verbatim(signed_in, edition, submission):
    rows = [{"name": f"Site {n}", "url": url} for n, url in enumerate(REAL_URLS)]
    contact = {
        "q4-answer-value": "yes",
        "q4-contact-name": "Акмал Алимов",
        "q4-contact-emails": "a.alimov@mitc.uz, info@egov.uz; press@gov.uz",
    }
    data = section_data(
        section(edition, SECTION_I),
        submission=submission,
        overrides={**links_data("q1-links", rows), **contact},
    )
    signed_in.post(f"/section/{SECTION_I}/", data)
    value = stored(submission)
    assert [row["url"] for row in value["q1"]["links"]] == REAL_URLS
    assert value["q4"]["contact"]["emails"] == ["a.alimov@mitc.uz", "info@egov.uz", "press@gov.uz"]

    text = page(signed_in.get("/submission/"))
    for url in REAL_URLS:
        assert url in text
    assert 'href="http://www.ek.uz"' in text
    assert 'href="https://my.gov.uz/#!/welcome"' in text
    assert 'href="https://gov.uz"' in text
    assert 'href="http://data.egov.uz/eng"' in text
    assert "a.alimov@mitc.uz" in text and "press@gov.uz" in text
    # And the form shows them as typed, ready to edit.
    form = page(signed_in.get(f"/section/{SECTION_I}/"))
    for url in REAL_URLS:
        assert f'value="{url}"' in form


def test_answers_are_escaped_everywhere(signed_in, edition, submission, focal_point):
    evil = '<script>alert("x")</script>'
    save(
        submission,
        focal_point,
        {
            "q14": {"details": evil},
            "q1": {"links": [{"name": evil, "url": "javascript:alert(1)", "note": evil}]},
        },
    )
    for url in (f"/section/{SECTION_VI}/", f"/section/{SECTION_I}/", "/review/", "/submission/"):
        raw = signed_in.get(url).content.decode()
        assert evil not in raw, url
        assert 'href="javascript:' not in raw, url


@pytest.mark.parametrize("url", [f"/section/{SECTION_I}/", "/review/", "/"])
def test_query_count_is_the_same_with_few_and_many_answers(
    client, edition, submission, focal_point, django_assert_num_queries, url
):
    client.force_login(focal_point)
    save(submission, focal_point, {"q14": {"details": "one answer"}})
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    many = {
        question.code: {"links": [{"name": f"n{n}", "url": f"https://{n}.uz"} for n in range(30)]}
        for question in edition.questions.filter(kind="links")
    }
    save(submission, focal_point, many)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    # Session, user, submission, answers (the edition's structure is cached per process), and
    # the link checks (linkcheck, issue 16) on a section page; the review also reads the
    # answers of its snapshot; the overview the country, the edition, the last decision and
    # the country's past editions (one query, whatever their number).
    assert len(few.captured_queries) <= {"/review/": 6, "/": 8}.get(url, 5)


def test_save_query_count_is_the_same_with_few_and_many_answers(
    client, edition, submission, focal_point, django_assert_num_queries
):
    client.force_login(focal_point)
    section_i = section(edition, SECTION_I)
    codes = list(section_i.questions.filter(kind="links").values_list("code", flat=True))

    def post_with(rows_per_question: int, label: str):
        overrides = {}
        for code in codes:
            rows = [
                {"name": f"{label}{n}", "url": f"https://{n}.uz"} for n in range(rows_per_question)
            ]
            overrides.update(links_data(f"{code}-links", rows))
        submission.refresh_from_db()
        return section_data(section_i, submission=submission, overrides=overrides)

    signed_in_data = post_with(1, "a")
    client.post(f"/section/{SECTION_I}/", signed_in_data)
    data = post_with(1, "b")
    with CaptureQueriesContext(connection) as few:
        assert client.post(f"/section/{SECTION_I}/", data).status_code == 302
    data = post_with(40, "c")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.post(f"/section/{SECTION_I}/", data).status_code == 302
    assert len(stored(submission)["q5i"]["links"]) == 40
    assert SubmissionEvent.objects.filter(kind="answers_saved").count() == 3 * len(codes)
    # Session, user, the submission locked and read in one statement, its answers, version,
    # answers, events, and four savepoint statements (the test's transaction and the one
    # that lets a refused save render its page).
    assert len(few.captured_queries) <= 11


def _other_links_saved(submission, focal_point, edition) -> None:
    """30 links in every links question but q14: many answers stored outside the one saved."""
    save(
        submission,
        focal_point,
        {
            question.code: {
                "links": [{"name": f"n{n}", "url": f"https://{n}.uz"} for n in range(30)]
            }
            for question in edition.questions.filter(kind="links").exclude(code="q14")
        },
    )


def test_autosave_query_count_is_the_same_with_few_and_many_answers(
    signed_in, edition, submission, focal_point, django_assert_num_queries
):
    # A JSON autosave reads the section's questions and the answers it changes, not the
    # whole submission: its cost does not grow with the answers stored elsewhere.
    def body(text: str, rows: int) -> str:
        submission.refresh_from_db()
        links = [{"name": f"{text}{n}", "url": f"https://{n}.uz"} for n in range(rows)]
        return json.dumps(
            {
                "base_version": submission.version,
                "values": {"q14": {"details": text, "links": links}},
            }
        )

    def autosave(data: str):
        return signed_in.post(
            f"/section/{SECTION_VI}/autosave", data, content_type="application/json"
        )

    assert autosave(body("warm", 1)).status_code == 200
    data = body("few", 1)
    with CaptureQueriesContext(connection) as few:
        assert autosave(data).status_code == 200
    _other_links_saved(submission, focal_point, edition)
    data = body("many", 40)
    with django_assert_num_queries(len(few.captured_queries)):
        assert autosave(data).status_code == 200
    # Session, user, the submission locked and read in one statement, the answers it
    # changes, version, answer, events (and the test transaction's two savepoint
    # statements); the section's questions come from the per-process cache.
    assert len(few.captured_queries) <= 9
    assert len(stored(submission)["q14"]["links"]) == 40


def test_form_autosave_query_count_is_the_same_with_few_and_many_answers(
    signed_in, edition, submission, focal_point, django_assert_num_queries
):
    # What static/js/filling.js sends: the whole section form, form-encoded. The submission
    # is locked and read in one statement and its answers read once, under the lock.
    section_vi = section(edition, SECTION_VI)

    def posted(text: str) -> dict:
        return section_data(
            section_vi, submission=submission, overrides={"q14-details-value": text}
        )

    def autosave(data: dict):
        return signed_in.post(f"/section/{SECTION_VI}/autosave", data)

    assert autosave(posted("warm")).status_code == 200
    data = posted("few")
    with CaptureQueriesContext(connection) as few:
        assert autosave(data).status_code == 200
    _other_links_saved(submission, focal_point, edition)
    data = posted("many")
    with django_assert_num_queries(len(few.captured_queries)):
        assert autosave(data).status_code == 200
    # Session, user, the submission locked and read, its answers, version, answer, events
    # (and the test transaction's two savepoint statements).
    assert len(few.captured_queries) <= 9
    assert stored(submission)["q14"]["details"] == "many"


# --- Autosave: JSON values of the wrong type ----------------------------------------------


def _autosave_json(client, submission, section_code: str, values: dict):
    submission.refresh_from_db()
    return client.post(
        f"/section/{section_code}/autosave",
        json.dumps({"base_version": submission.version, "values": values}),
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("section_code", "values", "message"),
    [
        (
            SECTION_VI,
            {"q14": {"details": ["a", "b"]}},
            "Nothing was saved. Question q14, part details: the answer should be text, not a list.",
        ),
        (
            SECTION_VI,
            {"q14": {"links": [{"name": "Portal", "href": "https://gov.uz"}]}},
            "Question q14, part links: link 1 has no “href” (it has name, url, note).",
        ),
        (
            "new-technologies",
            {"q15": {"answer": {"choices": ["ai"]}}},
            "Question q15, part answer: the answer has no “choices” (it has selected, other).",
        ),
        (
            "new-technologies",
            {"q15": {"answer": {"selected": ["telepathy"]}}},
            "Question q15, part answer: there is no option “telepathy”",
        ),
        (
            "indicators",
            {"q17": {"answer": {"value": [45, 5]}}},
            "Question q17, part answer: the percentage should be text, not a list.",
        ),
    ],
)
def test_autosave_json_wrong_type_is_400_and_keeps_the_stored_answer(
    signed_in, submission, focal_point, section_code, values, message
):
    save(
        submission,
        focal_point,
        {
            "q14": {"details": "Telegram channels", "links": [{"url": "t.me/gov_uz"}]},
            "q15": {"answer": {"selected": ["ai"]}},
            "q17": {"answer": {"value": "45,5"}},
        },
    )
    submission.refresh_from_db()
    before = (submission.version, stored(submission))

    response = _autosave_json(signed_in, submission, section_code, values)

    assert response.status_code == 400
    assert message in response.json()["error"]
    submission.refresh_from_db()
    assert (submission.version, stored(submission)) == before


def test_autosave_json_number_for_a_percentage_is_stored_as_text(signed_in, submission):
    response = _autosave_json(signed_in, submission, "indicators", {"q17": {"answer": 45.5}})
    assert response.status_code == 200
    assert stored(submission)["q17"] == {"answer": {"value": "45.5", "comment": ""}}


def test_section_questions_are_headings_in_order(client, focal_point, edition):
    client.force_login(focal_point)
    text = page(client.get("/section/institutional-framework/"))

    levels = [int(level) for level in re.findall(r"<h([1-6])\b", text)]
    assert levels[0] == 1
    # Never skips a level going down (h1 → h2 → h3), so screen readers list them as a tree.
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))
    headings = re.findall(r"<h([23])[^>]*>\s*(.*?)</h\1>", text, flags=re.S)
    plain = [(level, re.sub(r"<[^>]+>", "", body).split()) for level, body in headings]
    assert (plain[0][0], plain[0][1][:5]) == ("2", ["1.", "What", "is", "the", "official"])
    assert plain[1][0] == "2" and plain[1][1][:4] == ["2.", "Please", "also", "provide"]
    assert plain[2][0] == "3" and plain[2][1][:3] == ["2.", "a.", "E-services"]


def test_submission_page_headings_in_order(client, focal_point, edition, country_a):
    factories.submission_full(edition=edition, country=country_a)
    client.force_login(focal_point)
    text = page(client.get("/submission/"))

    levels = [int(level) for level in re.findall(r"<h([1-6])\b", text)]
    assert levels[0] == 1 and 4 in levels
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))


def test_pdf_link_names_the_submission_date_not_the_save_counter(
    client, focal_point, edition, country_a
):
    submission = factories.submission_full(edition=edition, country=country_a)
    Submission.objects.filter(pk=submission.pk).update(
        version=28, submitted_version=28, pdf_version=28, pdf="submissions/pdf/UZB.pdf"
    )
    client.force_login(focal_point)
    text = page(client.get("/submission/"))

    when = submission.submitted_at.strftime("%-d %B %Y")
    assert f"Download the PDF of submission 1, sent on {when}" in text
    assert "version 28" not in text

    # Submitted again, the new PDF not rendered yet: the older one is named as such.
    Submission.objects.filter(pk=submission.pk).update(
        version=30, submitted_version=30, submission_number=2
    )
    text = page(client.get("/submission/"))
    assert "The PDF of your submission is being prepared" in text
    assert "Download the PDF of your previous submission" in text


# --- Line breaks: one form whatever sent them; an unchanged save records nothing ---------


def _as_browser_form(data: dict) -> dict:
    """A form post as a browser sends it: a textarea's line breaks travel as CRLF."""
    return {
        key: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for key, value in data.items()
    }


def _events_and_version(submission) -> tuple[int, int]:
    submission.refresh_from_db()
    return submission.events.count(), submission.version


def test_unchanged_saves_record_nothing_whichever_way_line_breaks_travel(
    signed_in, edition, submission
):
    values = factories.answers_full(edition, long=True)
    for each in edition.sections.order_by("order"):
        codes = list(each.questions.values_list("code", flat=True))
        response = _autosave_json(
            signed_in, submission, each.code, {code: values[code] for code in codes}
        )
        assert response.status_code == 200, response.content
    q6 = stored(submission)["q6"]
    assert "\n\n" in q6["details"] and "\r" not in q6["details"]
    before = _events_and_version(submission)

    for each in edition.sections.order_by("order"):
        data = _as_browser_form(section_data(each, submission=submission))
        assert any("\r\n" in str(value) for value in data.values())
        # "Save draft" with nothing changed, then the page's own autosave, then the JSON one.
        assert signed_in.post(f"/section/{each.code}/", data).status_code == 302
        assert signed_in.post(f"/section/{each.code}/autosave", data).status_code == 200
        codes = set(each.questions.values_list("code", flat=True))
        unchanged = {code: value for code, value in values.items() if code in codes}
        assert _autosave_json(signed_in, submission, each.code, unchanged).status_code == 200

    assert _events_and_version(submission) == before
    assert stored(submission)["q6"] == q6


def test_form_post_stores_line_breaks_as_the_autosave_does(signed_in, edition, submission):
    data = section_data(
        section(edition, SECTION_VI),
        submission=submission,
        overrides={"q14-details-value": "First line\r\nSecond line\rThird"},
    )
    assert signed_in.post(f"/section/{SECTION_VI}/", data).status_code == 302
    assert stored(submission)["q14"] == {"details": "First line\nSecond line\nThird"}
    before = _events_and_version(submission)

    response = _autosave_json(
        signed_in, submission, SECTION_VI, {"q14": {"details": "First line\nSecond line\nThird"}}
    )

    assert response.status_code == 200
    assert _events_and_version(submission) == before


def test_draft_stored_with_crlf_is_unchanged_by_the_same_text(signed_in, edition, submission):
    # Saved before line breaks were normalised: the same text posted again is no change.
    Answer.objects.create(
        submission=submission,
        question=edition.questions.get(code="q14"),
        value={"details": "One\r\nTwo"},
    )
    before = _events_and_version(submission)

    data = section_data(section(edition, SECTION_VI), submission=submission)
    assert signed_in.post(f"/section/{SECTION_VI}/", data).status_code == 302

    assert _events_and_version(submission) == before
