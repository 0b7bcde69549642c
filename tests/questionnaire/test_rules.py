"""The questionnaire's rules kept in one place each: the status table, the row lock and
version bump, who may see or edit a submission, and pages that never write."""

import pytest
from django.urls import reverse

from questionnaire import locking
from questionnaire.access import EditRefusal, edit_refusal
from questionnaire.filling.services import StaleVersionError, SubmissionLockedError, answers_save
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.review import services as review_services
from questionnaire.review.services import ReviewError, submission_accept
from questionnaire.workflow import ALLOWED_FROM, LEADS_TO, Action, Status, action_allowed
from tests.factories import submission_full

REVIEW_BUTTONS = {
    Action.ACCEPT: "can_accept",
    Action.REOPEN: "can_reopen",
    Action.RETURN: "can_return",
}


def test_workflow_table_names_every_action_from_known_statuses():
    assert set(ALLOWED_FROM) == set(Action)
    for statuses in ALLOWED_FROM.values():
        assert statuses <= set(Status.values)
    assert set(LEADS_TO.values()) <= set(Status.values)
    # The models take their statuses from the workflow: one list of statuses.
    assert Submission.Status is Status


@pytest.mark.parametrize("status", Status.values)
def test_review_page_offers_only_the_decisions_the_table_allows(
    client, edition, country_a, focal_point, reviewer, status
):
    submission = submission_full(
        edition=edition, country=country_a, status=status, submitted_by=focal_point
    )
    client.force_login(reviewer)

    response = client.get(reverse("admin:questionnaire_submission_change", args=[submission.pk]))

    for action, flag in REVIEW_BUTTONS.items():
        assert response.context[flag] == (status in ALLOWED_FROM[action])
        assert response.context[flag] == action_allowed(submission, action)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACCEPTED])
def test_country_cannot_edit_what_the_table_does_not_allow(edition, country_a, focal_point, status):
    submission = submission_full(
        edition=edition, country=country_a, status=status, submitted_by=focal_point
    )
    assert edit_refusal(user=focal_point, submission=submission) == EditRefusal.LOCKED
    with pytest.raises(SubmissionLockedError):
        answers_save(
            submission=submission,
            user=focal_point,
            values={"q14": {"details": "changed"}},
            base_version=submission.version,
        )


def test_edit_refused_to_another_countrys_official_and_to_staff(
    edition, country_a, focal_point, outsider, reviewer
):
    submission = submission_full(edition=edition, country=country_a, status=Status.DRAFT)
    assert edit_refusal(user=focal_point, submission=submission) is None
    assert edit_refusal(user=outsider, submission=submission) == EditRefusal.OTHER_COUNTRY
    assert edit_refusal(user=reviewer, submission=submission) == EditRefusal.OTHER_COUNTRY


def test_version_bump_refuses_a_copy_read_before_another_write(edition, country_a):
    submission = submission_full(edition=edition, country=country_a, status=Status.DRAFT)
    first = Submission.objects.get(pk=submission.pk)
    second = Submission.objects.get(pk=submission.pk)
    locking.version_bump(
        first, stale=lambda version: StaleVersionError(current_version=version, changes=[])
    )

    with pytest.raises(StaleVersionError) as refused:
        locking.version_bump(
            second,
            stale=lambda version: StaleVersionError(current_version=version, changes=[]),
            status=Status.SUBMITTED,
        )

    assert refused.value.current_version == 2
    submission.refresh_from_db()
    assert (submission.version, submission.status) == (2, Status.DRAFT)


def test_review_decision_refused_when_the_row_moved_after_it_was_read(
    edition, country_a, focal_point, reviewer, monkeypatch
):
    # SQLite ignores row locks: the conditional UPDATE is what refuses a write that
    # another one overtook between the read and the bump (the filling path's guarantee).
    submission = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    stale = Submission.objects.select_related("edition", "country").get(pk=submission.pk)
    Submission.objects.filter(pk=submission.pk).update(version=5)
    monkeypatch.setattr(review_services, "submission_locked", lambda _submission: stale)

    with pytest.raises(ReviewError):
        submission_accept(submission=submission, reviewer=reviewer)

    submission.refresh_from_db()
    assert (submission.status, submission.version) == (Status.SUBMITTED, 5)
    assert not submission.events.filter(kind=SubmissionEvent.Kind.ACCEPTED).exists()


def test_opening_every_page_creates_no_draft_until_the_first_save(
    client, edition, country_a, focal_point
):
    client.force_login(focal_point)
    urls = [reverse("questionnaire:home"), reverse("questionnaire:review")] + [
        reverse("questionnaire:section", args=[code])
        for code in edition.sections.values_list("code", flat=True)
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    # The section page shows empty answers and the version a first save starts from.
    page = client.get(reverse("questionnaire:section", args=["social-media"]))
    assert 'name="base_version" value="1"' in page.content.decode()
    assert not Submission.objects.exists()
    assert not SubmissionEvent.objects.exists()

    saved = client.post(
        reverse("questionnaire:autosave", args=["social-media"]),
        {"base_version": 1, "values": {"q14": {"details": "Telegram"}}},
        content_type="application/json",
    )

    assert saved.status_code == 200
    submission = Submission.objects.get(country=country_a)
    assert submission.status == Status.DRAFT
    kinds = list(submission.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [SubmissionEvent.Kind.CREATED, SubmissionEvent.Kind.ANSWERS_SAVED]


def test_other_countrys_submission_pdf_is_404(client, edition, country_a, focal_point, outsider):
    submission = submission_full(edition=edition, country=country_a, submitted_by=focal_point)
    client.force_login(outsider)
    for name in ("questionnaire:submission_pdf", "questionnaire:submission_pdf_preview"):
        assert client.get(reverse(name, args=[submission.pk])).status_code == 404
