"""The shapes the read API answers with (they make its OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class Problem(Schema):
    detail: str


class EditionSummary(Schema):
    code: str
    year: int
    title: str
    is_open: bool


class Choice(Schema):
    code: str
    label: str
    other: bool


class Part(Schema):
    # As the JSON export's codebook (questionnaire.exports.json_nested.json_part):
    # label and options if any.
    model_config = ConfigDict(extra="allow")

    name: str
    kind: str
    required: bool
    label: str | None = None
    options: list[Choice] | None = None


class QuestionOut(Schema):
    code: str
    number: str
    text: str
    kind: str
    parts: list[Part]


class SectionOut(Schema):
    code: str
    numeral: str
    title: str
    questions: list[QuestionOut]


class EditionDetail(Schema):
    code: str
    year: int
    title: str
    sections: list[SectionOut]


class SubmissionOut(Schema):
    id: int
    edition: str
    country_iso3: str
    country: str
    region: str
    subregion: str
    status: str
    version: int
    submitted_version: int | None
    submitted_at: datetime | None
    consent: str
    language: str
    updated_at: datetime


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    # Pass it back as `cursor` for the next page; null on the last page.
    next_cursor: str | None


class SubmissionAnswers(Schema):
    """One country's entry of the JSON export.

    As questionnaire.exports.json_nested.JsonExporter.country_entry."""

    id: int
    edition: str
    iso3: str
    name: str
    region: str
    subregion: str
    status: str
    version: int
    submitted_version: int | None
    submitted_at: str | None
    consent: str
    # The submitter's interface language, in which the submitted PDF is rendered.
    language: str
    # questionnaire.progress's rule, as on the officials' overview and the reviewers' pages.
    progress_percent: int
    questions_answered: int
    questions_applicable: int
    # {section code: {question code: {part name: value}}}, shown questions only.
    sections: dict[str, dict[str, dict[str, Any]]]
