"""The one way a write changes a submission row: locked, then moved to the next version.

Filling (answers, consent, submit) and review (return, accept, reopen) both
take the row with `submission_locked` and bump its version with
`version_bump`, so that a page opened before any change is refused as stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils import timezone

from questionnaire.editions.states import EditionState
from questionnaire.models import Submission


def submission_locked(submission: Submission) -> Submission:
    """The submission row re-read with its edition and country, locked until the end of
    the transaction (PostgreSQL; SQLite ignores row locks, see version_bump)."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("edition", "country")
        .get(pk=submission.pk)
    )


def version_bump(locked: Submission, *, stale: Callable[[int], Exception], **fields: Any) -> None:
    """Move `locked` to the next version and set `fields`, refusing if another write got there
    first: then `stale(version now stored)` is raised and nothing is written.

    The conditional UPDATE (on the version read) is what protects SQLite, which
    ignores row locks. `locked` is updated in place.
    """
    now = timezone.now()
    updated = Submission.objects.filter(pk=locked.pk, version=locked.version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if updated != 1:
        current = Submission.objects.filter(pk=locked.pk).values_list("version", flat=True).first()
        raise stale(current or locked.version)
    locked.version += 1
    locked.updated_at = now
    for name, value in fields.items():
        setattr(locked, name, value)


# Edition fields a save never reads (questionnaire.editions.wording shows them on pages).
EDITION_WORDING = ("introduction", "footnotes", "consent_text", "closing_text", "translations")


def submission_locked_current(*, country_id: int) -> Submission | None:
    """The country's submission to the open edition with its edition and country, locked
    until the end of the transaction, in one statement (no read before the lock); None if
    the country has not started. The save views lock with this, then read the answers.

    The edition's wording (its translations are about 18 kB of JSON) is left out: a save
    needs the edition's id, code, state and stamp, not its texts (read if ever used)."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("edition", "country")
        .defer(*(f"edition__{name}" for name in EDITION_WORDING))
        .filter(edition__state=EditionState.OPEN, country_id=country_id)
        .first()
    )
