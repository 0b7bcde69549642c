"""Reads of the two-way comment threads: a reviewer's comment and its replies.

The review page reads every thread of a submission; the country's pages read
only those shared with the country (questionnaire.access has the same rule for
a single thread). Writes are in questionnaire.review.comments.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch, QuerySet

from questionnaire.models import ReviewComment, Submission


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
