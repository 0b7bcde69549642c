"""The data migration from Edition.is_open to Edition.state (0013_edition_state)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("questionnaire", "0012_reminders")]
AFTER = [("questionnaire", "0014_one_open_edition")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_is_open_becomes_state_with_one_open_edition(monkeypatch):
    monkeypatch.delenv("MSQ_CURRENT_EDITION", raising=False)
    old_apps = _migrate(BEFORE)
    Edition = old_apps.get_model("questionnaire", "Edition")
    common = {"consent_text": "-", "source_file": "-", "source_sha256": "0" * 64}
    for code, year, is_open in [
        ("msq-2018", 2018, False),
        ("msq-2019-pilot", 2019, True),  # never closed, though officials had moved on
        ("msq-2020", 2020, True),  # what officials answered (MSQ_CURRENT_EDITION's default)
        ("msq-2022-example", 2022, True),  # loaded for a demo: "open" by default, never seen
    ]:
        Edition.objects.create(code=code, year=year, title=code, is_open=is_open, **common)
    try:
        new_apps = _migrate(AFTER)
        states = dict(
            new_apps.get_model("questionnaire", "Edition").objects.values_list("code", "state")
        )
        assert states == {
            "msq-2018": "closed",
            "msq-2019-pilot": "closed",
            "msq-2020": "open",
            "msq-2022-example": "planned",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
