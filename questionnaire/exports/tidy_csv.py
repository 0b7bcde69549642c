"""The tidy CSV: one row per answer value, streamed (the API's CSV is the same stream)."""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from questionnaire.exports.columns import (
    CHANGED_HEADER,
    changed_cells,
    country_cells,
    country_headers,
)
from questionnaire.exports.sheets import ListExporter, Row
from questionnaire.kinds import get_kind


class TidyCsvExporter(ListExporter):
    """One row per answer value; each kind says how its values split into rows
    (a links part gives one row per field of each link, numbered by `item`)."""

    identifier = "tidy_csv"
    verbose_name = _("Tidy CSV (one row per answer value)")
    output = "csv"
    extension = "csv"
    content_type = "text/csv"
    with_progress = False  # the progress columns are a whole country's, not on answer rows
    HEADER: ClassVar[Row] = [
        "edition",
        *country_headers(on_answer_rows=True),
        "question_code",
        "number",
        "part",
        "item",
        "field",
        "value",
        # 1 or 0 for a question continuing one of the previous edition; else empty.
        CHANGED_HEADER,
    ]

    def sheets(self, submissions, progress):
        yield "answers", list(self.HEADER), self._rows(submissions, progress)

    def _rows(self, submissions, progress):
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            country = [snapshot.edition.code, *country_cells(snapshot, on_answer_rows=True)]
            changed = changed_cells(snapshot)
            for section in snapshot.sections:
                for question_snapshot in section.questions:
                    question = question_snapshot.question
                    flag = changed.get(question.code)
                    flag = "" if flag is None else flag
                    for part in question_snapshot.parts:
                        for item, field, text in get_kind(part.kind).tidy_items(part):
                            yield [
                                *country,
                                question.code,
                                question.display_number,
                                part.name,
                                item,
                                field,
                                text,
                                flag,
                            ]
            if progress:
                progress(done)
