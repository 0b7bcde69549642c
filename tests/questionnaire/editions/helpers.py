"""Editions in tests: the example 2022 edition, and which edition officials answer now.

The current edition is switched through `make_edition_current` only, so that a change
of how the portal chooses it (today settings.MSQ_CURRENT_EDITION) is made here once.
"""

from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.models import Edition

EXAMPLE = "msq-2022-example"


def example_edition_load() -> Edition:
    """The example 2022 edition, loaded after the 2020 one it continues (which must be)."""
    return edition_load(path=edition_path(EXAMPLE)).edition


def make_edition_current(settings, edition: Edition) -> None:
    """Make `edition` the one officials answer, for the rest of the test (`settings` is
    pytest-django's fixture, which puts the setting back afterwards)."""
    settings.MSQ_CURRENT_EDITION = edition.code
