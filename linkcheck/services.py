"""Writes of the link checker: which links a submission lists, their checks, confirmations.

The questionnaire calls only `links_check_queue_if_changed` (inside the saving
transaction) and `links_check_schedule` (on submit): both queue work on commit
and never raise into the official's request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from linkcheck import checker
from linkcheck.models import RESULT_FIELDS, LinkCheck, SubmissionLink
from questionnaire.models import Answer, Edition, Question, Submission
from questionnaire.queueing import task_send

logger = logging.getLogger(__name__)

# Sent by name (questionnaire.queueing): the tasks module imports this one.
CHECK_SUBMISSION_TASK = "linkcheck.tasks.task_check_submission_links"


def _debounce_key(submission_id: int) -> str:
    return f"linkcheck:scheduled:{submission_id}"


def links_check_schedule(*, submission_id: int, countdown: int | None = None) -> bool:
    """Queue one check of the submission's links, unless one is already waiting.

    The first call takes a cache lease for LINKCHECK_DEBOUNCE_SECONDS and queues
    task_check_submission_links that many seconds later; calls meanwhile queue
    nothing (the task reads the answers when it runs, so it sees their links).
    Returns whether a task was queued. Does nothing unless LINKCHECK_AUTO.
    """
    if not settings.LINKCHECK_AUTO:
        return False
    delay = settings.LINKCHECK_DEBOUNCE_SECONDS if countdown is None else countdown
    if not cache.add(_debounce_key(submission_id), 1, timeout=max(delay, 1)):
        return False
    task_send(CHECK_SUBMISSION_TASK, countdown=delay, submission_id=submission_id)
    return True


def links_check_queue_if_changed(
    *,
    submission_id: int,
    questions: Iterable[Question],
    before: Mapping[str, Mapping],
    after: Mapping[str, Mapping],
) -> None:
    """Inside a save's transaction: schedule a link check on commit if a links part changed.

    `before` and `after` are {question code: stored value}. A failure to queue is
    logged by on_commit(robust=True), never raised into the request that saved.
    """
    for question in questions:
        old, new = before.get(question.code) or {}, after.get(question.code) or {}
        for part in question.parts:
            if part.get("kind") == "links" and old.get(part["name"]) != new.get(part["name"]):
                transaction.on_commit(
                    lambda: links_check_schedule(submission_id=submission_id), robust=True
                )
                return


def _typed_urls(submission_id: int) -> list[str]:
    """Every URL typed in the submission's links parts, in question order."""
    urls: list[str] = []
    answers = (
        Answer.objects.filter(submission_id=submission_id)
        .select_related("question")
        .only("value", "question__parts", "question__order")
        .order_by("question__order")
    )
    for answer in answers:
        for part in answer.question.parts:
            if part.get("kind") != "links":
                continue
            rows = (answer.value or {}).get(part["name"]) or []
            for row in rows if isinstance(rows, list) else []:
                url = row.get("url", "") if isinstance(row, dict) else ""
                if isinstance(url, str) and url.strip():
                    urls.append(url)
    return urls


def link_checks_for_urls(*, urls: Iterable[str]) -> dict[str, tuple[LinkCheck, str]]:
    """The LinkCheck of each distinct URL (created when new), keyed by url_key, with
    the URL as first typed. A URL refused before any fetch is recorded as not checked."""
    targets: dict[str, tuple[checker.Target, str]] = {}
    for typed in urls:
        target = checker.link_target(typed)
        targets.setdefault(target.key, (target, typed))
    if not targets:
        return {}
    existing = {c.url_key: c for c in LinkCheck.objects.filter(url_key__in=targets)}
    now = timezone.now()
    missing = [
        LinkCheck(
            url=target.url,
            url_key=key,
            state=LinkCheck.State.NOT_CHECKED if target.refusal else LinkCheck.State.PENDING,
            error=target.refusal,
            checked_at=now if target.refusal else None,
        )
        for key, (target, _typed) in targets.items()
        if key not in existing
    ]
    if missing:
        # Another task may create the same URL at the same moment: read them back.
        LinkCheck.objects.bulk_create(missing, ignore_conflicts=True)
        existing.update(
            (c.url_key, c)
            for c in LinkCheck.objects.filter(url_key__in=[m.url_key for m in missing])
        )
    return {key: (existing[key], typed) for key, (_target, typed) in targets.items()}


def submission_links_sync(*, submission_id: int) -> list[tuple[LinkCheck, str]]:
    """Make the submission's SubmissionLink rows match the URLs in its answers.

    Side effects: creates LinkCheck rows for new URLs, SubmissionLink rows for
    URLs newly listed, deletes those of URLs no longer listed (a confirmation
    stays with a link as long as it is listed). Returns (check, URL as typed) pairs.
    """
    checks = link_checks_for_urls(urls=_typed_urls(submission_id))
    wanted = {check.pk: typed for check, typed in checks.values()}
    with transaction.atomic():
        SubmissionLink.objects.filter(submission_id=submission_id).exclude(
            link_check_id__in=wanted
        ).delete()
        present = set(
            SubmissionLink.objects.filter(submission_id=submission_id).values_list(
                "link_check_id", flat=True
            )
        )
        SubmissionLink.objects.bulk_create(
            [
                SubmissionLink(submission_id=submission_id, link_check_id=check_id, url=typed)
                for check_id, typed in wanted.items()
                if check_id not in present
            ],
            ignore_conflicts=True,
        )
    return list(checks.values())


def _check_one(typed: str) -> checker.Result:
    """Runs in a worker thread: network only, no database."""
    try:
        return checker.check(checker.link_target(typed))
    except Exception as error:  # one strange site must not stop the others
        logger.exception("Link check of %r failed", typed[:200])
        return checker.Result(
            LinkCheck.State.DID_NOT_ANSWER,
            error=_("the check failed (%(why)s)") % {"why": type(error).__name__},
        )


def link_checks_run(*, pairs: Iterable[tuple[LinkCheck, str]], force: bool = False) -> int:
    """Fetch the URLs whose last check is older than LINKCHECK_CACHE_HOURS (all if `force`).

    At most LINKCHECK_CONCURRENCY fetches at once; a URL being checked by another
    task right now is left to it (cache lease). Side effects: updates the LinkCheck
    rows. Returns the number of URLs fetched.
    """
    fresh_after = timezone.now() - timedelta(hours=settings.LINKCHECK_CACHE_HOURS)
    lease_seconds = int(settings.LINKCHECK_TOTAL_TIMEOUT * 2) + 10
    due: list[tuple[LinkCheck, str]] = []
    for link_check, typed in pairs:
        if (
            link_check.state == LinkCheck.State.NOT_CHECKED
            and not checker.link_target(typed).candidates
        ):
            continue  # refused before any fetch: nothing to fetch, ever
        if not force and link_check.checked_at and link_check.checked_at >= fresh_after:
            continue
        if cache.add(f"linkcheck:url:{link_check.url_key}", 1, timeout=lease_seconds):
            due.append((link_check, typed))
    if not due:
        return 0
    try:
        workers = max(1, min(settings.LINKCHECK_CONCURRENCY, len(due)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkcheck") as pool:
            results = list(pool.map(_check_one, [typed for _check, typed in due]))
        now = timezone.now()
        for (link_check, _typed), result in zip(due, results, strict=True):
            link_check.state = result.state
            link_check.final_url = result.final_url
            link_check.status_code = result.status_code
            link_check.redirect_chain = result.redirect_chain
            link_check.tls_problem = result.tls_problem
            link_check.response_ms = result.response_ms
            link_check.error = result.error
            link_check.checked_at = now
        LinkCheck.objects.bulk_update([c for c, _typed in due], RESULT_FIELDS, batch_size=500)
    finally:
        cache.delete_many([f"linkcheck:url:{c.url_key}" for c, _typed in due])
    return len(due)


def submission_links_check(*, submission_id: int, force: bool = False) -> int:
    """Sync the submission's links with its answers, then check those that are due.

    Releases the debounce lease first, so that a save made while this runs
    schedules a check of its own. Returns the number of URLs fetched.
    """
    cache.delete(_debounce_key(submission_id))
    if not Submission.objects.filter(pk=submission_id).exists():
        return 0
    return link_checks_run(pairs=submission_links_sync(submission_id=submission_id), force=force)


def open_editions_links_queue() -> int:
    """Queue a check of every submission of the open edition (the nightly run)."""
    ids = list(
        Submission.objects.filter(edition__state=Edition.State.OPEN).values_list("pk", flat=True)
    )
    for submission_id in ids:
        task_send(CHECK_SUBMISSION_TASK, submission_id=submission_id)
    return len(ids)


def links_confirm(*, submission: Submission, user: User, link_ids: Iterable[int]) -> int:
    """Record that `user` confirms these links of `submission` are correct.

    Only links of this submission are touched (ids of another submission's links
    are ignored). Returns the number confirmed.
    """
    ids = [int(link_id) for link_id in link_ids]
    return SubmissionLink.objects.filter(submission=submission, pk__in=ids).update(
        confirmed_by=user, confirmed_at=timezone.now()
    )
