"""A submission's statuses and the one table of which action is allowed from which.

The filling services (submit, every country-side write), the review services
(return, accept, reopen), the reviewers' admin (which buttons it shows) and the
PDF re-render all ask `action_allowed`; nothing else decides it.

    action      allowed from            leads to     also needs
    edit        draft, returned         (unchanged)  the edition open
    submit      draft, returned         submitted    the edition open
    return      submitted, accepted     returned
    accept      submitted               accepted
    reopen      submitted, accepted     draft
    rerender    any status              (unchanged)  a submitted version

"The edition open" is its state (questionnaire.editions.states): a closed edition is
read-only for its officials, whatever its submissions' statuses.

Imports nothing from the project but the edition states, so that the models can take
their statuses from here.
"""

from __future__ import annotations

import enum
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from questionnaire.editions.states import EditionState


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")


class Action(enum.StrEnum):
    EDIT = "edit"  # the country saves answers or the publication consent
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    REOPEN = "reopen"
    RERENDER = "rerender"  # a reviewer renders the submitted version's PDF again


ALLOWED_FROM: dict[Action, frozenset[str]] = {
    # A returned or draft submission is the country's to edit: reviewers wait for it.
    Action.EDIT: frozenset({Status.DRAFT, Status.RETURNED}),
    Action.SUBMIT: frozenset({Status.DRAFT, Status.RETURNED}),
    Action.RETURN: frozenset({Status.SUBMITTED, Status.ACCEPTED}),
    Action.ACCEPT: frozenset({Status.SUBMITTED}),
    Action.REOPEN: frozenset({Status.SUBMITTED, Status.ACCEPTED}),
    Action.RERENDER: frozenset(Status.values),
}

# The status each changing action leads to.
LEADS_TO: dict[Action, str] = {
    Action.SUBMIT: Status.SUBMITTED,
    Action.RETURN: Status.RETURNED,
    Action.ACCEPT: Status.ACCEPTED,
    Action.REOPEN: Status.DRAFT,
}


class _Edition(Protocol):
    state: str


class _Submission(Protocol):
    status: str
    submitted_version: int | None
    edition: _Edition


def action_allowed(submission: _Submission, action: Action) -> bool:
    """Whether `action` may be done on the submission in its present status."""
    if submission.status not in ALLOWED_FROM[action]:
        return False
    if action in {Action.EDIT, Action.SUBMIT}:
        # Officials may edit and submit only while the edition is open.
        return submission.edition.state == EditionState.OPEN
    if action == Action.RERENDER:
        return submission.submitted_version is not None
    return True
