"""Who may see and who may change a submission: the questionnaire's access rules, in one place.

Built on accounts.access (who is a reviewer, which country an official answers
for), which knows nothing of submissions. The officials' pages, the PDF
downloads, the reviewers' admin and the filling services all ask here.

- Reviewers (DPIDG staff in the Reviewers group) see every submission.
- An official sees their own country's submission; any other is a 404, so that
  nothing tells them what exists.
- Only an official of the submission's country changes it, and only while
  questionnaire.workflow allows EDIT (draft or returned, edition open); a closed
  edition is refused as such, so that the official is told why.
- A reviewers' comment thread: every reviewer sees every thread; an official
  sees their country's threads once shared with the country, and may reply to
  them whatever the status (a reply never changes the answers); any other is a 404.
"""

from __future__ import annotations

import enum

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import is_reviewer, official_country, official_country_id
from accounts.models import User
from questionnaire.editions.states import EditionState
from questionnaire.models import ReviewComment, Submission
from questionnaire.workflow import Action, action_allowed

__all__ = [
    "EditRefusal",
    "edit_refusal",
    "is_reviewer",
    "official_country",
    "official_country_id",
    "own_submission_or_404",
    "submission_visible_or_404",
    "submissions_visible_to",
    "thread_visible_or_404",
]


class EditRefusal(enum.StrEnum):
    OTHER_COUNTRY = "other_country"
    LOCKED = "locked"
    # The edition is closed (or not yet open): read-only whatever the status.
    EDITION_CLOSED = "edition_closed"


def edit_refusal(*, user: User, submission: Submission) -> EditRefusal | None:
    """Why `user` may not change the submission's answers or consent, or None if they may."""
    if user.is_staff or user.country_id != submission.country_id:
        return EditRefusal.OTHER_COUNTRY
    if not action_allowed(submission, Action.EDIT):
        if submission.edition.state != EditionState.OPEN:
            return EditRefusal.EDITION_CLOSED
        return EditRefusal.LOCKED
    return None


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Every submission for a reviewer, the official's country's for an official; 404 otherwise."""
    submissions = Submission.objects.select_related("edition", "country")
    if is_reviewer(user):
        return submissions
    return submissions.filter(country=official_country(user))


def submission_visible_or_404(*, user: User, submission_id) -> Submission:
    """The submission if `user` may see it; 404 otherwise (another country's, or none)."""
    return get_object_or_404(submissions_visible_to(user), pk=submission_id)


def own_submission_or_404(*, user: User, submission_id) -> Submission:
    """The submission if `user` is an official of its country (reviewers too get a 404: it is
    for the country's own pages, such as the draft preview)."""
    submissions = Submission.objects.select_related("edition", "country")
    return get_object_or_404(submissions, pk=submission_id, country=official_country(user))


def thread_visible_or_404(*, user: User, thread_id) -> ReviewComment:
    """The comment thread (its first comment, with its submission) if `user` may read and
    answer it; 404 otherwise: another country's, one not yet shared with the country, a
    reply's id, or none."""
    threads = ReviewComment.objects.select_related(
        "submission__edition", "submission__country", "question"
    ).filter(parent__isnull=True)
    if not is_reviewer(user):
        threads = threads.filter(
            submission__country=official_country(user), shared_at__isnull=False
        )
    return get_object_or_404(threads, pk=thread_id)
