"""The errors of the country-side writes (questionnaire.filling.services), each with a
message fit to show to the official."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from accounts.time_zones import time_with_zone


class SubmissionError(Exception):
    """A country-side write that was refused; `message` is fit to show to the official."""

    message: str = ""

    def __str__(self) -> str:
        return str(self.message)


class SubmissionLockedError(SubmissionError):
    """The submission is submitted, accepted or its edition closed: the country cannot change it."""

    message = _("This questionnaire has been submitted and can no longer be changed.")


class EditionClosedError(SubmissionLockedError):
    """The edition is closed: its officials read their answers but no longer change them."""

    message = _(
        "This edition of the questionnaire is closed: answers can no longer be changed or"
        " submitted. You can still read them and download the PDF."
    )


class SubmissionNotAllowedError(SubmissionError):
    """The user may not do this (only the focal point submits or gives the publication consent)."""

    message = _("Only your country's focal point can submit the questionnaire.")

    def __init__(self, message: str | None = None):
        # The default explains submitting; other refused actions name themselves.
        if message is not None:
            self.message = message


class AnswerInputError(SubmissionError):
    """The posted values do not name questions or parts of the edition (tampered or stale
    page), or a value is of the wrong type for its part (a list where text goes)."""

    def __init__(self, message: str):
        self.message = message


class AnswerLimitError(SubmissionError):
    """Some values exceed what a draft may hold; nothing was saved. {question code: messages}."""

    message = _("Nothing was saved: some answers are too long. Shorten them and save again.")

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems


@dataclass(frozen=True)
class Change:
    """Someone else's change that a stale save would have overwritten."""

    question_code: str
    question_number: str
    actor_name: str
    at: datetime
    # The value now stored, so the page can show it beside the typed one.
    value: dict | None


class StaleVersionError(SubmissionError):
    """The save was based on an older version and would overwrite someone else's changes."""

    def __init__(self, *, current_version: int, changes: list[Change]):
        self.current_version = current_version
        self.changes = changes
        if changes:
            described = "; ".join(
                _("%(who)s changed question %(number)s at %(time)s")
                % {
                    "who": change.actor_name,
                    "number": change.question_number or change.question_code,
                    # In the official's zone, named ("19:48 CET"), like every time shown.
                    "time": time_with_zone(change.at),
                }
                for change in changes
            )
            self.message = _(
                "Nothing was saved: since you opened this page, %(changes)s. "
                "Your typed values are kept below beside theirs; save again to replace theirs."
            ) % {"changes": described}
        else:
            self.message = _("Nothing was saved: this page is out of date. Reload it.")


class SubmissionIncompleteError(SubmissionError):
    """Submission refused; `problems` is {question code or "consent": messages}."""

    message = _("The questionnaire cannot be submitted yet: see the list below.")

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems


CONSENT_MISSING = _("Choose whether UNDESA may publish your responses (the authorization).")
