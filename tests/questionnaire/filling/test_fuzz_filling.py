"""Hostile answers through the filling pages, autosave, review and exports (hypothesis).

Never a 500; a refused save says why and changes nothing; whatever is saved is
kept as typed and comes back escaped on the officials' pages, in the admin,
in the PDF's HTML and in the exports (formulas neutralised in spreadsheets).
"""

import csv
import io
import json
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from questionnaire.exports.json_nested import JsonExporter
from questionnaire.exports.sheets import neutralise
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.filling.services import submission_get_or_create
from questionnaire.models import Answer, ReviewComment, Submission
from questionnaire.pdf.render import submission_html
from questionnaire.selectors import submission_snapshot
from tests.factories import answers_full, submission_full
from tests.fuzz_strategies import (
    FUZZ,
    HOSTILE_NUMBERS,
    deep_json,
    hostile_number,
    json_any,
    nasty_text,
    shows_error,
    unescaped_markup,
    unrepresentable_number,
    wrong_type,
)
from tests.questionnaire.filling_helpers import section_data

SECTION = "social-media"  # q14: a text ("details") and links


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _as_typed(value: str) -> set[str]:
    """What a save may keep of a typed text: as sent, or without surrounding blanks /
    with browser line endings. Anything shorter would be a silent cut."""
    unix = value.replace("\r\n", "\n").replace("\r", "\n")
    return {value, value.strip(), unix, unix.strip()}


@pytest.fixture
def draft(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


@FUZZ
@given(details=nasty_text, name=nasty_text, url=nasty_text, note=nasty_text)
def test_fuzz_section_save(client, focal_point, reviewer, edition, draft, details, name, url, note):
    section = edition.sections.get(code=SECTION)
    client.force_login(focal_point)
    with rolled_back():
        data = section_data(
            section,
            submission=draft,
            overrides={
                "q14-details-value": details,
                "q14-links-TOTAL_FORMS": "1",
                "q14-links-0-name": name,
                "q14-links-0-url": url,
                "q14-links-0-note": note,
            },
        )
        version = Submission.objects.get(pk=draft.pk).version
        response = client.post(reverse("questionnaire:section", args=[SECTION]), data)
        assert response.status_code in {302, 400}, response.status_code
        if response.status_code == 400:
            body = response.content.decode()
            assert shows_error(body)
            assert not unescaped_markup(details + name + url + note, body)
            assert Submission.objects.get(pk=draft.pk).version == version
            return
        stored = Answer.objects.filter(submission=draft, question__code="q14").first()
        if details.strip():
            assert stored.value["details"] in _as_typed(details)
        for page in (
            reverse("questionnaire:section", args=[SECTION]),
            reverse("questionnaire:review"),
        ):
            body = client.get(page).content.decode()
            assert not unescaped_markup(details + name + url + note, body), page
        client.force_login(reviewer)
        admin_page = client.get(
            reverse("admin:questionnaire_submission_change", args=[draft.pk])
        ).content.decode()
        assert not unescaped_markup(details + name + url + note, admin_page)


@FUZZ
@given(
    base_version=st.one_of(st.just("current"), wrong_type),
    values=st.one_of(
        wrong_type,
        st.fixed_dictionaries({"q14": st.fixed_dictionaries({"details": nasty_text | wrong_type})}),
        st.fixed_dictionaries({"q14": st.fixed_dictionaries({"links": wrong_type})}),
        st.dictionaries(st.text(max_size=10), json_any, max_size=4),
    ),
)
# Found by QA: a list where text goes was saved as empty, clearing the answer.
@example(base_version="current", values={"q14": {"details": ["a", "b"]}})
def test_fuzz_autosave_json(client, focal_point, draft, base_version, values):
    client.force_login(focal_point)
    with rolled_back():
        version = Submission.objects.get(pk=draft.pk).version
        body = {"base_version": version if base_version == "current" else base_version}
        body["values"] = values
        response = client.post(
            reverse("questionnaire:autosave", args=[SECTION]),
            json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code in {200, 400, 409, 413}, response.status_code
        answer = response.json()
        if response.status_code != 200:
            assert answer["error"]
            assert Submission.objects.get(pk=draft.pk).version == version
        # A list, an object or true/false where text goes is refused, never saved as empty.
        q14 = values.get("q14") if isinstance(values, dict) else None
        details = q14.get("details") if isinstance(q14, dict) else None
        if isinstance(details, (list, dict, bool)):
            assert response.status_code != 200


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_fuzz_autosave_unreadable_body(client, focal_point, draft, raw):
    client.force_login(focal_point)
    with rolled_back():
        response = client.post(
            reverse("questionnaire:autosave", args=[SECTION]),
            raw,
            content_type="application/json",
        )
        assert response.status_code in {200, 400, 409, 413}
        if response.status_code != 200:
            assert response.json()["error"]


def _draft_state(draft) -> tuple:
    """What a refused save must leave as it was: the version, the answers, the events."""
    submission = Submission.objects.get(pk=draft.pk)
    answers = sorted(Answer.objects.filter(submission=draft).values_list("question_id", "value"))
    return submission.version, answers, submission.events.count()


def _autosave_raw(client, body: str):
    return client.post(
        reverse("questionnaire:autosave", args=[SECTION]), body, content_type="application/json"
    )


@FUZZ
@given(
    case=st.one_of(
        st.tuples(st.just("base_version"), hostile_number),
        st.tuples(st.sampled_from(["details", "values"]), unrepresentable_number),
    )
)
@example(case=("base_version", "1e999"))
@example(case=("base_version", "Infinity"))
@example(case=("details", "1e999"))
def test_fuzz_autosave_json_hostile_numbers_are_400(client, focal_point, draft, case):
    """Found by QA: {"base_version": 1e999} was a 500 (OverflowError in int(inf))."""
    where, number = case
    client.force_login(focal_point)
    with rolled_back():
        before = _draft_state(draft)
        version = before[0]
        body = {
            "base_version": f'{{"base_version": {number}, "values": {{}}}}',
            "details": (
                f'{{"base_version": {version}, "values": {{"q14": {{"details": {number}}}}}}}'
            ),
            "values": f'{{"base_version": {version}, "values": {number}}}',
        }[where]
        response = _autosave_raw(client, body)
        assert response.status_code == 400, (body[:80], response.status_code)
        assert response.json()["error"].startswith("Nothing was saved")
        assert _draft_state(draft) == before


@FUZZ
@given(nested=deep_json, where=st.sampled_from(["body", "base_version", "values", "details"]))
def test_fuzz_autosave_json_nested_too_deep_is_400(client, focal_point, draft, nested, where):
    """Found by QA: a body nested past ~1,000 levels was a 500 (RecursionError in json.loads)."""
    client.force_login(focal_point)
    with rolled_back():
        before = _draft_state(draft)
        version = before[0]
        body = {
            "body": nested,
            "base_version": f'{{"base_version": {nested}, "values": {{}}}}',
            "values": f'{{"base_version": {version}, "values": {{"q14": {nested}}}}}',
            "details": (
                f'{{"base_version": {version}, "values": {{"q14": {{"details": {nested}}}}}}}'
            ),
        }[where]
        response = _autosave_raw(client, body)
        assert response.status_code == 400, response.status_code
        # "Nothing was saved: …" when unreadable; a question's message when readable but wrong.
        assert response.json()["error"]
        assert _draft_state(draft) == before


@pytest.mark.parametrize("number", (*HOSTILE_NUMBERS, "", "1e3"))
def test_section_post_and_form_autosave_hostile_version_are_400(
    client, focal_point, edition, draft, number
):
    """The step POST and the form-encoded autosave parse the same field: both refuse it."""
    section = edition.sections.get(code=SECTION)
    client.force_login(focal_point)
    before = _draft_state(draft)
    data = section_data(section, submission=draft, overrides={"q14-details-value": "changed"})
    data["base_version"] = number
    page = client.post(reverse("questionnaire:section", args=[SECTION]), data)
    assert page.status_code == 400
    assert "Nothing was saved" in page.content.decode()
    autosave = client.post(reverse("questionnaire:autosave", args=[SECTION]), data)
    assert autosave.status_code == 400
    assert autosave.json()["error"].startswith("Nothing was saved")
    assert _draft_state(draft) == before


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_session_stash_with_hostile_version_is_400_after_sign_in(
    client, focal_point, edition, draft, number
):
    """A form kept across an expired session goes through the same parsing once applied."""
    from questionnaire.filling.session_stash import stash_token

    section = edition.sections.get(code=SECTION)
    before = _draft_state(draft)
    data = section_data(section, submission=draft, overrides={"q14-details-value": "changed"})
    data.update(
        base_version=number, owner=stash_token(country_id=draft.country_id, user_id=focal_point.pk)
    )
    url = reverse("questionnaire:section", args=[SECTION])
    assert client.post(url, data).status_code == 302  # kept for after sign-in
    client.force_login(focal_point)
    response = client.get(url)
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert _draft_state(draft) == before


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_admin_actions_with_hostile_version_change_nothing(
    client, reviewer, edition, country_a, number
):
    submission = submission_full(edition=edition, country=country_a)
    client.force_login(reviewer)
    before = (submission.status, submission.version, submission.events.count())
    for name, data in (
        ("comments", {"comment-general": "x", "action": "return"}),
        ("accept", {"confirm": "yes"}),
        ("reopen", {"reason": "x"}),
    ):
        response = client.post(
            reverse(f"admin:questionnaire_submission_{name}", args=[submission.pk]),
            {**data, "version": number},
        )
        assert response.status_code in {200, 302, 400}, (name, response.status_code)
    submission.refresh_from_db()
    assert (submission.status, submission.version, submission.events.count()) == before
    assert not ReviewComment.objects.filter(submission=submission).exists()


@FUZZ
@given(consent=nasty_text, version=nasty_text)
def test_fuzz_consent_and_submit(client, focal_point, draft, consent, version):
    client.force_login(focal_point)
    with rolled_back():
        # The authorization and the submit are one POST (the review page's one form).
        response = client.post(
            reverse("questionnaire:submit"), {"consent": consent, "base_version": version}
        )
        assert response.status_code in {302, 400}
        if response.status_code == 400:
            assert shows_error(response.content.decode())
        draft.refresh_from_db()
        assert (draft.status, draft.consent) == (Submission.Status.DRAFT, "")


@FUZZ
@given(general=nasty_text, on_question=nasty_text, version=nasty_text | st.just("current"))
# A NUL pasted into a comment: PostgreSQL cannot store it, so it must be refused with a message.
@example(general="pasted\x00from Word", on_question="", version="current")
def test_fuzz_review_comments(client, reviewer, edition, country_a, general, on_question, version):
    client.force_login(reviewer)
    with rolled_back():
        submission = submission_full(edition=edition, country=country_a)
        response = client.post(
            reverse("admin:questionnaire_submission_comments", args=[submission.pk]),
            {
                "comment-general": general,
                "comment-q-q14": on_question,
                "version": submission.version if version == "current" else version,
            },
        )
        assert response.status_code in {200, 302, 400}
        page = client.get(
            reverse("admin:questionnaire_submission_change", args=[submission.pk])
        ).content.decode()
        assert not unescaped_markup(general + on_question, page)
        for comment in ReviewComment.objects.filter(submission=submission):
            assert comment.text in _as_typed(general) | _as_typed(on_question)


@settings(FUZZ, max_examples=12)  # exports and the PDF's HTML take a moment per example
@given(details=nasty_text, link_name=nasty_text)
def test_fuzz_answers_escaped_in_pdf_html_and_exports(edition, country_a, details, link_name):
    # NUL never reaches storage (the forms and autosave refuse it, fuzzed above) and
    # PostgreSQL cannot store it, so stored values here are without it.
    details, link_name = details.replace("\x00", ""), link_name.replace("\x00", "")
    with rolled_back():
        values = answers_full(edition)
        values["q14"]["details"] = details
        values["q14"]["links"] = [{"name": link_name, "url": "https://x.example", "note": ""}]
        submission = submission_full(edition=edition, country=country_a, values=values)

        html = submission_html(submission_snapshot(submission=submission), draft=False)
        assert not unescaped_markup(details + link_name, html)

        out = io.BytesIO()
        TidyCsvExporter(edition=edition).write(
            submissions=Submission.objects.filter(pk=submission.pk), out=out
        )
        rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
        for row in rows:
            assert not any(str(cell).startswith(("=", "+", "-", "@")) for cell in row.values())
        shown = [r["value"] for r in rows if r["question_code"] == "q14" and r["part"] == "details"]
        if details:
            assert shown == [neutralise(details)]

        out = io.BytesIO()
        JsonExporter(edition=edition).write(
            submissions=Submission.objects.filter(pk=submission.pk), out=out
        )
        if details:
            assert details in set(_strings(json.loads(out.getvalue())))


def _strings(value):
    """Every string inside a parsed JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@FUZZ
@given(reason=nasty_text)
@example(reason="pasted\x00from Word")
def test_fuzz_reopen_reason(client, reviewer, edition, country_a, reason):
    client.force_login(reviewer)
    with rolled_back():
        submission = submission_full(
            edition=edition, country=country_a, status=Submission.Status.ACCEPTED
        )
        response = client.post(
            reverse("admin:questionnaire_submission_reopen", args=[submission.pk]),
            {"reason": reason, "version": submission.version},
        )
        assert response.status_code in {200, 302, 400}
        submission.refresh_from_db()
        if response.status_code == 302:
            assert submission.status != Submission.Status.ACCEPTED
            assert submission.events.filter(message__in=_as_typed(reason)).exists()
        else:
            assert shows_error(response.content.decode())
            assert submission.status == Submission.Status.ACCEPTED
