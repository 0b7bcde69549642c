"""Editions in tests: the example 2022 edition, and which edition officials answer now.

The current edition is switched through `make_edition_current` only: through the
edition lifecycle, as a reviewer does in the admin (questionnaire.editions.lifecycle).
"""

from questionnaire.editions.lifecycle import edition_transition
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.states import EditionAction, EditionState
from questionnaire.models import Edition

EXAMPLE = "msq-2022-example"


def example_edition_load() -> Edition:
    """The example 2022 edition, loaded after the 2020 one it continues (which must be)."""
    return edition_load(path=edition_path(EXAMPLE)).edition


def make_edition_current(edition: Edition) -> None:
    """Open `edition` for officials, closing the edition open until now (DPIDG's one step in
    the admin: one edition is open at a time)."""
    edition.refresh_from_db()
    action = EditionAction.REOPEN if edition.state == EditionState.CLOSED else EditionAction.OPEN
    edition_transition(edition=edition, action=action, actor=None, close_other=True)
