"""Edition files changed for a test: a loaded edition's data file, altered and written anew."""

from pathlib import Path

import yaml

from questionnaire.editions.reading import edition_path


def edition_variant(tmp_path: Path, code: str, change, *, name: str) -> Path:
    """The file of edition `code` as `change(data)` leaves it, written to tmp_path/name."""
    data = yaml.safe_load(edition_path(code).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def question_in(data: dict, code: str) -> dict:
    """The question `code` of an edition file's data, in a group or not."""
    for section in data["sections"]:
        for item in section["questions"]:
            for question in item.get("questions", [item]):
                if question.get("code") == code:
                    return question
    raise KeyError(code)
