"""Reads of the two-way comment threads: a reviewer's comment and its replies.

The review page reads every thread of a submission; the country's pages read
only those shared with the country (questionnaire.access has the same rule for
a single thread). Writes are in questionnaire.review.comments.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from questionnaire.models import ReviewComment, Submission
from questionnaire.structure import edition_structure


def _threads(*, submission: Submission, shared_only: bool) -> QuerySet[ReviewComment]:
    replies = ReviewComment.objects.select_related("author").order_by("created_at", "id")
    threads = submission.review_comments.filter(parent__isnull=True)
    if shared_only:
        threads = threads.filter(shared_at__isnull=False)
    return (
        threads.select_related("author", "resolved_by", "question")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def submission_threads(*, submission: Submission, shared_only: bool) -> list[ReviewComment]:
    """The submission's threads (first comments, replies prefetched as `.replies.all()`),
    oldest first; with `shared_only`, those the country sees. Two queries (one without any
    thread); none for a submission not saved yet."""
    if submission.pk is None:
        return []
    return list(_threads(submission=submission, shared_only=shared_only))


def threads_open_by_question(threads: list[ReviewComment]) -> Counter:
    """{question id (None: the whole submission): open threads}: no query."""
    return Counter(thread.question_id for thread in threads if not thread.is_resolved)


def thread_messages(thread: ReviewComment) -> list[ReviewComment]:
    """The thread's comment followed by its replies, oldest first (prefetched: no query)."""
    return [thread, *thread.replies.all()]


def thread_question_url(thread: ReviewComment) -> str:
    """Where the official answers the thread's question: its place on the section page
    while the country may edit, the thread's own page otherwise (the section pages are
    closed while submitted or accepted). The whole-submission threads are on the overview.

    The one rule for the pages (the overview's links, the thread page's way back) and the
    e-mails to officials. Reads the thread's submission and question if not loaded."""
    submission = thread.submission
    if thread.question_id is None:
        return reverse("questionnaire:home") + f"#thread-{thread.pk}"
    if not submission.is_editable_by_country:
        return reverse("questionnaire:thread", args=[thread.pk])
    structure = edition_structure(edition=submission.edition)
    section = next(s for s in structure.sections if s.id == thread.question.section_id)
    return (
        reverse("questionnaire:section", kwargs={"code": section.code})
        + f"#question-{thread.question.code}"
    )
