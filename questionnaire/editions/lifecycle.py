"""An edition's life: DPIDG opens, closes, reopens, archives and unarchives it (the Edition
admin).

The one way an edition's state changes. Which action is allowed from which
state is questionnaire.editions.states' table; every change records an
EditionEvent with its author. Nothing here touches a submission: closing an
edition keeps every draft (officials read it, reviewers go on), and
reopening it lets officials change drafts and returned answers again.
Unarchiving brings an archived edition back to closed (the reviewers' default
views again), never to open: a reopen is its own step, with its own confirmation.

At most one edition is open (the `one_open_edition` constraint): opening one
while another is open is refused, unless the reviewer confirmed closing the
other in the same step (`close_other=True`); then both changes are made in one
transaction and recorded, never silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from questionnaire.editions.states import (
    EDITION_LEADS_TO,
    EditionAction,
    EditionState,
    edition_action_allowed,
)
from questionnaire.models import Edition, EditionEvent, Submission
from questionnaire.workflow import ALLOWED_FROM, Action


class EditionLifecycleError(Exception):
    """A lifecycle action that cannot be done as asked; the message is for the reviewer."""


@dataclass(frozen=True)
class LifecyclePreview:
    """What an action would do, for its confirmation page (read, nothing written)."""

    edition: Edition
    action: EditionAction
    allowed: bool
    # Drafts and returned submissions of the edition that a close keeps, read-only.
    drafts: int
    # The edition open now that opening this one would close (None if none or itself).
    other_open: Edition | None
    other_drafts: int


def edition_drafts_count(*, edition: Edition) -> int:
    """Submissions of the edition its countries could still change (draft or returned)."""
    return Submission.objects.filter(edition=edition, status__in=ALLOWED_FROM[Action.EDIT]).count()


def lifecycle_preview(*, edition: Edition, action: EditionAction) -> LifecyclePreview:
    """What `action` on `edition` would change: the drafts a close keeps, and the other open
    edition an open or reopen would close. Three queries at most."""
    opens = EDITION_LEADS_TO[action] == EditionState.OPEN
    other = (
        Edition.objects.filter(state=EditionState.OPEN).exclude(pk=edition.pk).first()
        if opens
        else None
    )
    return LifecyclePreview(
        edition=edition,
        action=action,
        allowed=edition_action_allowed(edition.state, action),
        drafts=edition_drafts_count(edition=edition) if action == EditionAction.CLOSE else 0,
        other_open=other,
        other_drafts=edition_drafts_count(edition=other) if other else 0,
    )


def _change(*, edition: Edition, action: EditionAction, actor: User | None) -> EditionEvent:
    """Move a locked edition through `action` and record it (the caller checked it)."""
    before = edition.state
    after = EDITION_LEADS_TO[action]
    drafts = edition_drafts_count(edition=edition) if action == EditionAction.CLOSE else 0
    # update(), not save(): loaded_at says when the file was loaded, not when DPIDG acted.
    Edition.objects.filter(pk=edition.pk).update(state=after)
    edition.state = after
    return EditionEvent.objects.create(
        edition=edition, action=action, actor=actor, before=before, after=after, drafts=drafts
    )


def edition_transition(
    *,
    edition: Edition,
    action: EditionAction,
    actor: User | None,
    close_other: bool = False,
) -> list[EditionEvent]:
    """Do `action` on `edition`; returns the events recorded (the other edition's close first).

    Side effects: updates Edition.state (one or two rows) and appends an EditionEvent per
    change, in one transaction, with the editions locked. Raises EditionLifecycleError,
    writing nothing, if the state does not allow the action, or if it opens the edition
    while another is open and `close_other` is false. No submission is changed or deleted.
    """
    try:
        with transaction.atomic():
            locked = Edition.objects.select_for_update().get(pk=edition.pk)
            if not edition_action_allowed(locked.state, action):
                raise EditionLifecycleError(
                    _("%(edition)s is in the state “%(state)s”, from which this is not possible.")
                    % {"edition": locked.code, "state": locked.get_state_display()}
                )
            events = []
            if EDITION_LEADS_TO[action] == EditionState.OPEN:
                other = (
                    Edition.objects.select_for_update()
                    .filter(state=EditionState.OPEN)
                    .exclude(pk=locked.pk)
                    .first()
                )
                if other is not None:
                    if not close_other:
                        raise _other_open_error(other)
                    events.append(_change(edition=other, action=EditionAction.CLOSE, actor=actor))
            events.append(_change(edition=locked, action=action, actor=actor))
    except IntegrityError as error:
        # Another reviewer opened an edition at the same moment (SQLite takes no row lock):
        # the constraint refused this one.
        other = Edition.objects.filter(state=EditionState.OPEN).exclude(pk=edition.pk).first()
        raise _other_open_error(other) from error
    edition.state = locked.state
    return events


def _other_open_error(other: Edition | None) -> EditionLifecycleError:
    return EditionLifecycleError(
        _(
            "%(other)s is open, and only one edition is open at a time. Close it first, or"
            " confirm closing it in the same step."
        )
        % {"other": other.code if other else _("Another edition")}
    )
