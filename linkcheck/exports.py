"""The last check's status of each link in the exports.

questionnaire.exports.reading (Exporter.snapshots) calls this."""

from __future__ import annotations

from collections.abc import Iterator

from linkcheck.checker import link_target
from linkcheck.selectors import edition_status_texts, status_text
from questionnaire.kinds.links import row_key, row_key_split
from questionnaire.selectors import SubmissionSnapshot


def snapshots_with_link_status(
    snapshots: Iterator[SubmissionSnapshot], *, edition
) -> Iterator[SubmissionSnapshot]:
    """The snapshots, each links part's `flat` with "N.link_status" after "N.url".

    One query for the whole edition's checks, read when the first snapshot is asked for.
    """
    texts: dict[str, str] | None = None
    for snapshot in snapshots:
        if texts is None:
            texts = edition_status_texts(edition_id=edition.pk)
        for section in snapshot.sections:
            for question in section.questions:
                for part in question.parts:
                    if part.kind != "links" or part.is_empty:
                        continue
                    flat: list[tuple[str, str]] = []
                    for key, text in part.flat:
                        flat.append((key, text))
                        item, field = row_key_split(key)
                        if item and field == "url":
                            status = texts.get(link_target(text).key) or status_text(None)
                            flat.append((row_key(int(item), "link_status"), status))
                    # The snapshot is built for this export alone: its list is replaced in place.
                    part.flat[:] = flat
        yield snapshot
