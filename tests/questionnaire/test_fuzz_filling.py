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

from questionnaire.exports import JsonExporter, TidyCsvExporter, neutralise
from questionnaire.models import Answer, ReviewComment, Submission
from questionnaire.pdf import submission_html
from questionnaire.selectors import submission_snapshot
from questionnaire.services import submission_get_or_create
from tests.factories import answers_full, submission_full
from tests.fuzz_strategies import (
    FUZZ,
    json_any,
    nasty_text,
    shows_error,
    unescaped_markup,
    wrong_type,
)
from tests.questionnaire.filling_helpers import section_data

SECTION = "social-media"  # q14: a text ("details") and links


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@FUZZ
@given(consent=nasty_text, version=nasty_text)
def test_fuzz_consent_and_submit(client, focal_point, draft, consent, version):
    client.force_login(focal_point)
    with rolled_back():
        response = client.post(reverse("questionnaire:consent"), {"consent": consent})
        assert response.status_code in {302, 400}
        if response.status_code == 400:
            assert shows_error(response.content.decode())
        response = client.post(reverse("questionnaire:submit"), {"base_version": version})
        assert response.status_code in {302, 400, 403, 409}


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
