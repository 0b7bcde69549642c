"""The cross-edition tidy CSV: one row per answer value of an edition and of every edition
it continues, each row keyed by where its question's part began (issue 15).

The key of a part, `lineage_key`, is `edition/question/part` of the part it continues
back to its first edition (the edition file's lineage, followed through each earlier
edition): 2020's q4 contact and the example 2022's q4b contact are both
`msq-2020/q4/contact`; a part new in an edition is keyed by itself. Grouping the rows
by it puts a country's answers to the same question side by side across editions.
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from questionnaire.carried import PREVIOUS_STATUSES
from questionnaire.exports.reading import snapshots_iter, submissions_for_export
from questionnaire.exports.sheets import ListExporter, Row
from questionnaire.kinds import get_kind
from questionnaire.models import Edition
from questionnaire.selectors import edition_layout
from questionnaire.structure import edition_structure


def lineage_keys(*, edition: Edition) -> dict[tuple[str, str, str], str]:
    """{(edition code, question code, part name): lineage key} of every part of `edition` and
    of the editions it continues, directly or through one another."""
    editions = editions_continued(edition=edition)
    parts = {
        (each.code, question.code, part["name"]): question
        for each in editions
        for question in edition_structure(edition=each).questions
        for part in question.parts
    }
    keys: dict[tuple[str, str, str], str] = {}

    def key_of(where: tuple[str, str, str]) -> str:
        if where not in keys:
            question = parts[where]
            source = (question.lineage or {}).get("parts", {}).get(where[2])
            earlier = (
                (question.lineage["edition"], source["question"], source["part"])
                if source
                else None
            )
            # An earlier edition not loaded here ends the chain (the loader checks it is).
            keys[where] = key_of(earlier) if earlier in parts else "/".join(where)
        return keys[where]

    for where in parts:
        key_of(where)
    return keys


def editions_continued(*, edition: Edition) -> list[Edition]:
    """`edition` and every edition it continues, directly or not, newest first."""
    found = {edition.code: edition}
    waiting = [edition]
    while waiting:
        current = waiting.pop()
        codes = {
            question.lineage["edition"]
            for question in edition_structure(edition=current).questions
            if question.lineage
        } - set(found)
        for earlier in Edition.objects.filter(code__in=codes):
            found[earlier.code] = earlier
            waiting.append(earlier)
    return sorted(found.values(), key=lambda each: -each.year)


class CrossEditionCsvExporter(ListExporter):
    """The edition's answer values (the statuses chosen) and those the countries sent to each
    edition it continues (submitted or accepted), one row per value with its lineage key."""

    identifier = "cross_edition_csv"
    verbose_name = _("Cross-edition tidy CSV (this edition and the ones it continues)")
    output = "csv"
    extension = "csv"
    content_type = "text/csv"
    with_progress = False
    HEADER: ClassVar[Row] = [
        "edition",
        "year",
        "country_iso3",
        "country",
        "lineage_key",
        "question_code",
        "part",
        "item",
        "field",
        "value",
    ]

    def sheets(self, submissions, progress):
        yield "answers", list(self.HEADER), self._rows(submissions, progress)

    def _rows(self, submissions, progress):
        keys = lineage_keys(edition=self.edition)
        for edition in editions_continued(edition=self.edition):
            if edition.pk == self.edition.pk:
                chosen, layout, counted = submissions, self.layout, progress
            else:
                chosen = submissions_for_export(edition=edition, statuses=PREVIOUS_STATUSES)
                layout, counted = edition_layout(edition=edition), None
            snapshots = snapshots_iter(submissions=chosen, layout=layout, with_progress=False)
            for done, snapshot in enumerate(snapshots, start=1):
                yield from _snapshot_rows(snapshot, keys)
                if counted:
                    counted(done)


def _snapshot_rows(snapshot, keys):
    edition = snapshot.edition
    country = [edition.code, edition.year, snapshot.country.iso3, snapshot.country.name]
    for section in snapshot.sections:
        for question_snapshot in section.questions:
            code = question_snapshot.question.code
            for part in question_snapshot.parts:
                key = keys[edition.code, code, part.name]
                for item, field, text in get_kind(part.kind).tidy_items(part):
                    yield [*country, key, code, part.name, item, field, text]
