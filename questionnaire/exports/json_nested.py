"""The JSON export: nested per country and section; schema in docs/exports-json-schema.md."""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from questionnaire.exports.columns import country_json
from questionnaire.exports.reading import Exporter, question_text
from questionnaire.selectors import SubmissionSnapshot

JSON_FORMAT = "msq-export/1"


def json_part(part: dict) -> dict:
    """A part's definition for the JSON codebook: name, kind, and label / options if any."""
    entry = {"name": part["name"], "kind": part["kind"], "required": bool(part.get("required"))}
    if part.get("label"):
        entry["label"] = part["label"]
    if part.get("options"):
        entry["options"] = [
            {"code": option["code"], "label": option["label"], "other": bool(option.get("other"))}
            for option in part["options"]
        ]
    return entry


class JsonExporter(Exporter):
    """Nested per country and section; schema in docs/exports-json-schema.md."""

    identifier = "json"
    verbose_name = _("JSON (nested per country and section)")
    extension = "json"
    content_type = "application/json"

    def edition_header(self) -> dict:
        return {
            "code": self.edition.code,
            "year": self.edition.year,
            "title": self.edition.title,
            "sections": [
                {
                    "code": section.code,
                    "numeral": section.numeral,
                    "title": section.title,
                    "questions": [
                        {
                            "code": question.code,
                            "number": question.display_number,
                            "text": question_text(question),
                            "kind": question.kind,
                            "parts": [json_part(part) for part in question.parts],
                        }
                        for question in questions
                    ],
                }
                for section, questions in self.layout
            ],
        }

    @staticmethod
    def country_entry(snapshot: SubmissionSnapshot) -> dict:
        return {
            **country_json(snapshot),
            "sections": {
                section.section.code: {
                    question_snapshot.question.code: {
                        part.name: part.value for part in question_snapshot.parts
                    }
                    for question_snapshot in section.questions
                    if question_snapshot.shown
                }
                for section in snapshot.sections
            },
        }

    def write(self, *, submissions, out, progress=None):
        def put(text: str) -> None:
            out.write(text.encode("utf-8"))

        header = {
            "format": JSON_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "edition": self.edition_header(),
        }
        # The countries are written one at a time: drop the closing brace and open the list.
        put(json.dumps(header, ensure_ascii=False)[:-1] + ', "countries": [')
        for done, snapshot in enumerate(self.snapshots(submissions), start=1):
            put(("," if done > 1 else "") + "\n")
            put(json.dumps(self.country_entry(snapshot), ensure_ascii=False))
            if progress:
                progress(done)
        put("\n]}\n")
