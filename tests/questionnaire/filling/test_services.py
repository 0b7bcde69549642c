import pytest
from django.core import mail

from questionnaire.filling.services import (
    AnswerInputError,
    AnswerLimitError,
    StaleVersionError,
    SubmissionIncompleteError,
    SubmissionLockedError,
    SubmissionNotAllowedError,
    answers_save,
    submission_get_or_create,
)
from questionnaire.filling.submitting import consent_set, submission_submit
from questionnaire.kinds import TEXT_MAX_LENGTH
from questionnaire.models import Answer, ReviewComment, Submission, SubmissionEvent
from questionnaire.tasks import task_email_submitted
from tests import factories
from tests.conftest import wait_for

CONTACT = {
    "name": "Dilnoza Karimova",
    "title": "Head of e-government",
    "organization": "Ministry for Development of IT",
    "emails": "d.karimova@mitc.uz; info@egov.uz",
    "phone": "+998 71 000 00 00",
}

# Every required question of the MSQ 2020 answered validly.
COMPLETE = {
    "q1": {"links": [{"name": "Single portal", "url": "https://my.gov.uz", "note": ""}]},
    "q3": {"links": [{"name": "MITC", "url": "www.mitc.uz", "note": ""}]},
    "q4": {"answer": "yes", "contact": CONTACT},
    "q6": {"answer": "yes"},
    "q7": {"answer": "no"},
    "q10": {"answer": "no"},
    "q12": {"answer": "no"},
    "q14": {"details": "Ministries run official channels; a 2019 decree sets the rules."},
    "x_contact": {"contact": CONTACT},
    "x1": {"answer": {"selected": ["authorized"], "other": ""}},
}


@pytest.fixture
def submission(edition, country_a, focal_point):
    return submission_get_or_create(edition=edition, country=country_a, user=focal_point)


def save(submission, user, values, base_version=None):
    submission.refresh_from_db()
    return answers_save(
        submission=submission,
        user=user,
        values=values,
        base_version=submission.version if base_version is None else base_version,
    )


def test_submission_get_or_create_is_idempotent(edition, country_a, focal_point, contributor):
    first = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    second = submission_get_or_create(edition=edition, country=country_a, user=contributor)
    assert first.pk == second.pk
    assert first.status == Submission.Status.DRAFT
    assert list(first.events.values_list("kind", flat=True)) == [SubmissionEvent.Kind.CREATED]


def test_answers_save_stores_values_as_typed_and_logs_before_after(submission, focal_point):
    save(submission, focal_point, {"q14": {"details": "  Первый ответ  "}})
    saved = save(submission, focal_point, {"q14": {"details": "Second answer"}})
    assert saved.version == 3
    assert Answer.objects.get(submission=submission, question__code="q14").value == {
        "details": "Second answer"
    }
    events = list(
        submission.events.filter(kind=SubmissionEvent.Kind.ANSWERS_SAVED).order_by("version")
    )
    assert [(event.before, event.after) for event in events] == [
        (None, {"details": "  Первый ответ  "}),
        ({"details": "  Первый ответ  "}, {"details": "Second answer"}),
    ]
    assert events[1].actor == focal_point
    assert events[1].question.code == "q14"


def test_answers_save_keeps_invalid_values_in_a_draft(submission, focal_point):
    save(
        submission,
        focal_point,
        {"q17": {"answer": {"value": "about 90", "comment": "On average about 90%"}}},
    )
    stored = Answer.objects.get(submission=submission, question__code="q17").value
    assert stored == {"answer": {"value": "about 90", "comment": "On average about 90%"}}


def test_answers_save_without_changes_keeps_the_version(submission, focal_point):
    saved = save(submission, focal_point, {"q14": {"details": "Same"}})
    again = save(submission, focal_point, {"q14": {"details": "Same"}})
    assert again.version == saved.version
    assert submission.events.filter(kind=SubmissionEvent.Kind.ANSWERS_SAVED).count() == 1


def test_answers_save_keeps_parts_not_posted(submission, focal_point):
    save(submission, focal_point, {"q6": {"answer": "yes", "details": "SDG strategy 2030"}})
    save(submission, focal_point, {"q6": {"answer": "no"}})
    stored = Answer.objects.get(submission=submission, question__code="q6").value
    assert stored == {"answer": "no", "details": "SDG strategy 2030"}


def test_answers_save_stale_version_names_who_changed_what(submission, focal_point, contributor):
    opened_at = submission.version
    save(submission, contributor, {"q14": {"details": "Contributor's text"}})
    with pytest.raises(StaleVersionError) as error:
        save(submission, focal_point, {"q14": {"details": "Focal point's text"}}, opened_at)
    assert contributor.get_full_name() in error.value.message
    assert "14." in error.value.message
    assert [change.question_code for change in error.value.changes] == ["q14"]
    assert error.value.changes[0].value == {"details": "Contributor's text"}
    stored = Answer.objects.get(submission=submission, question__code="q14").value
    assert stored == {"details": "Contributor's text"}


def test_answers_save_stale_version_on_other_questions_is_merged(
    submission, focal_point, contributor
):
    opened_at = submission.version
    save(submission, contributor, {"q14": {"details": "Contributor's text"}})
    saved = save(submission, focal_point, {"q22": {"details": "ASEAN, CIS"}}, opened_at)
    values = dict(submission.answers.values_list("question__code", "value"))
    assert values == {"q14": {"details": "Contributor's text"}, "q22": {"details": "ASEAN, CIS"}}
    assert saved.version == opened_at + 2


def test_answers_save_too_long_is_refused_whole(submission, focal_point):
    with pytest.raises(AnswerLimitError) as error:
        save(
            submission,
            focal_point,
            {"q14": {"details": "x" * (TEXT_MAX_LENGTH + 1)}, "q22": {"details": "fine"}},
        )
    assert "q14" in error.value.problems
    assert str(TEXT_MAX_LENGTH) in error.value.problems["q14"][0]
    assert not submission.answers.exists()
    submission.refresh_from_db()
    assert submission.version == 1


def test_answers_save_nul_character_is_refused_with_message(submission, focal_point):
    with pytest.raises(AnswerLimitError) as error:
        save(
            submission,
            focal_point,
            {"q1": {"links": [{"name": "Portal\x00", "url": "my.gov.uz", "note": ""}]}},
        )
    assert "NUL character" in error.value.problems["q1"][0]
    assert not submission.answers.exists()


def test_answers_save_unknown_question_or_part_is_refused(submission, focal_point):
    with pytest.raises(AnswerInputError):
        save(submission, focal_point, {"q99": {"details": "x"}})
    with pytest.raises(AnswerInputError):
        save(submission, focal_point, {"q14": {"nonsense": "x"}})
    assert not submission.answers.exists()


def test_answers_save_on_submitted_is_refused(submission, focal_point):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    with pytest.raises(SubmissionLockedError):
        save(submission, focal_point, {"q14": {"details": "late"}})
    assert not submission.answers.exists()


def test_answers_save_by_another_country_is_refused(submission, outsider):
    with pytest.raises(SubmissionNotAllowedError):
        save(submission, outsider, {"q14": {"details": "not mine"}})
    assert not submission.answers.exists()


def test_consent_set_records_who_when_and_wording(submission, focal_point, edition):
    updated = consent_set(
        submission=submission, user=focal_point, consent=Submission.Consent.REFUSED
    )
    assert updated.consent == Submission.Consent.REFUSED
    assert updated.consent_by == focal_point
    assert updated.consent_at is not None
    assert updated.consent_text == edition.consent_text
    event = submission.events.get(kind=SubmissionEvent.Kind.CONSENT_CHANGED)
    assert event.before["consent"] == ""
    assert event.after["consent"] == "refused"
    assert event.after["consent_text"].startswith("I/We hereby authorize UNDESA")


def test_consent_set_unknown_choice_is_refused(submission, focal_point):
    with pytest.raises(ValueError):
        consent_set(submission=submission, user=focal_point, consent="maybe")


def test_consent_set_by_contributor_is_refused(submission, focal_point, contributor):
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    submission.refresh_from_db()
    before = (submission.version, submission.events.count())
    with pytest.raises(SubmissionNotAllowedError) as error:
        consent_set(submission=submission, user=contributor, consent=Submission.Consent.REFUSED)
    assert "authorization to publish" in str(error.value)
    submission.refresh_from_db()
    assert submission.consent == Submission.Consent.GRANTED
    assert submission.consent_by == focal_point
    assert (submission.version, submission.events.count()) == before


def test_submission_submit_with_missing_answers_lists_them(submission, focal_point):
    save(submission, focal_point, {"q4": {"answer": "yes"}})
    with pytest.raises(SubmissionIncompleteError) as error:
        submission_submit(submission=submission, user=focal_point)
    problems = error.value.problems
    assert {"q1", "q3", "q4", "q6", "x_contact", "x1", "consent"} <= set(problems)
    # q11 and q13 depend on unanswered questions: never required.
    assert "q11" not in problems and "q13" not in problems
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


def test_submission_submit_by_contributor_is_refused(submission, focal_point, contributor):
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    with pytest.raises(SubmissionNotAllowedError):
        submission_submit(submission=submission, user=contributor)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


def test_submission_submit_records_and_queues_pdf_and_mail(
    submission,
    focal_point,
    contributor,
    django_capture_on_commit_callbacks,
    monkeypatch,
    emails_in_process,
):
    queued = []
    monkeypatch.setattr(
        "questionnaire.tasks.task_render_submission_pdf.delay",
        lambda **kwargs: queued.append(kwargs),
    )
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submission_submit(submission=submission, user=focal_point)
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED
    assert submitted.submitted_by == focal_point
    assert submitted.submitted_at is not None
    assert submitted.submitted_version == submitted.version
    assert queued == [{"submission_id": submitted.pk, "version": submitted.version}]
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {focal_point.email, contributor.email}
    assert "Uzbekistan" in mail.outbox[0].subject
    event = submitted.events.get(kind=SubmissionEvent.Kind.SUBMITTED)
    assert event.before["status"] == "draft"
    assert event.after["status"] == "submitted"
    with pytest.raises(SubmissionLockedError):
        save(submitted, focal_point, {"q14": {"details": "after submission"}})


def test_submission_submit_returned_resubmission_bumps_version(
    submission, focal_point, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    first = submission_submit(submission=submission, user=focal_point)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RETURNED, version=first.version + 1
    )
    ReviewComment.objects.create(
        submission=submission,
        question=submission.edition.questions.get(code="q14"),
        author=reviewer,
        text="Please add the guideline's URL.",
        version=first.version,
    )
    save(submission, focal_point, {"q14": {"details": "Guidelines: https://gov.uz/sm"}})
    second = submission_submit(submission=submission, user=focal_point)
    assert second.status == Submission.Status.SUBMITTED
    assert second.submitted_version == second.version > first.version


def test_submission_confirmation_task_sends_once_per_version(submission, focal_point):
    # Not a transactional test: the submit's on-commit sends never run, the task runs below.
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    submitted = submission_submit(submission=submission, user=focal_point)
    ids = {"submission_id": submitted.pk, "version": submitted.version}

    # The outbox may send it twice (sent, then the mark lost), Redis may redeliver it.
    for _run in range(3):
        task_email_submitted.apply(kwargs=ids).get()

    assert [message.to for message in mail.outbox] == [[focal_point.email]]
    sent = submitted.events.get(kind=SubmissionEvent.Kind.CONFIRMATION_SENT)
    assert (sent.version, sent.after) == (submitted.version, {"messages": 1})


def test_submission_confirmation_goes_only_to_own_country(
    submission,
    focal_point,
    outsider,
    django_capture_on_commit_callbacks,
    monkeypatch,
    emails_in_process,
):
    monkeypatch.setattr("questionnaire.tasks.task_render_submission_pdf.delay", lambda **kw: None)
    factories.OfficialFactory(country=submission.country, is_active=False)
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, user=focal_point)
    assert mail.outbox[0].to == [focal_point.email]


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_submission_submit_pdf_is_rendered_by_the_worker(
    celery_worker_process, edition, country_a, focal_point
):
    """A real worker process renders it on PostgreSQL + Redis; in-process on the default."""
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    save(submission, focal_point, COMPLETE)
    consent_set(submission=submission, user=focal_point, consent=Submission.Consent.GRANTED)
    submitted = submission_submit(submission=submission, user=focal_point)
    rendered = wait_for(
        lambda: (
            Submission.objects.filter(pk=submitted.pk, pdf_version=submitted.version)
            .exclude(pdf_sha256="")
            .first()
        ),
        timeout=120,
    )
    assert rendered.pdf_rendered_at is not None
