"""An edition's states and the one table of which lifecycle action is allowed from which.

    action    allowed from        leads to   officials            reviewers
    open      planned             open       fill it in           follow it
    close     open                closed     read it, no writes   go on reviewing
    reopen    closed              open       fill it in again     follow it
    archive   planned, closed     archived   read it (past list)  not in default views
    unarchive archived            closed     read it (past list)  offered again

At most one edition is open at a time (a partial unique constraint on Edition,
docs/editions.md): opening one while another is open is refused unless the same
confirmation closes the other (questionnaire.editions.lifecycle).

Imports nothing from the project, so that the models and questionnaire.workflow
can take the states from here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class EditionAction(models.TextChoices):
    # Labels as the edition's history shows them.
    OPEN = "open", _("Opened")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    ARCHIVE = "archive", _("Archived")
    UNARCHIVE = "unarchive", _("Unarchived")


EDITION_ALLOWED_FROM: dict[EditionAction, frozenset[str]] = {
    EditionAction.OPEN: frozenset({EditionState.PLANNED}),
    EditionAction.CLOSE: frozenset({EditionState.OPEN}),
    # Reopening a closed edition lets officials change drafts and returned answers again.
    EditionAction.REOPEN: frozenset({EditionState.CLOSED}),
    # An open edition is closed first, so that its drafts are confirmed as kept.
    EditionAction.ARCHIVE: frozenset({EditionState.PLANNED, EditionState.CLOSED}),
    # The way back from an archive (one made by mistake, or an edition needed again): to
    # closed, never straight to open, so that its officials' drafts are not writable
    # again without a reopen and its own confirmation.
    EditionAction.UNARCHIVE: frozenset({EditionState.ARCHIVED}),
}

EDITION_LEADS_TO: dict[EditionAction, str] = {
    EditionAction.OPEN: EditionState.OPEN,
    EditionAction.CLOSE: EditionState.CLOSED,
    EditionAction.REOPEN: EditionState.OPEN,
    EditionAction.ARCHIVE: EditionState.ARCHIVED,
    EditionAction.UNARCHIVE: EditionState.CLOSED,
}

# The states whose submissions officials read as past editions (never a planned one).
PAST_STATES = frozenset({EditionState.CLOSED, EditionState.ARCHIVED})


def edition_action_allowed(state: str, action: EditionAction) -> bool:
    """Whether `action` may be done on an edition in `state`."""
    return state in EDITION_ALLOWED_FROM[action]
