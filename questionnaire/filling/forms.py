"""The forms of the filling flow, built from the edition's questions and the kinds registry.

A section's form is one small Django form (or, for links, a formset) per
question part, prefixed "<question code>-<part name>" so that field names are
stable and readable ("q1-links-0-url", "q4-contact-emails"). Every field is
optional and keeps what was typed: problems are shown, never enforced, until
submission.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaire.answers import part_value, question_is_shown
from questionnaire.editions.wording import part_wording
from questionnaire.filling.field_problems import input_id
from questionnaire.kinds import get_kind, part_label
from questionnaire.models import Question, Submission

# "q1-links-3": a links row named by a "Remove" button.
_ROW_RE = re.compile(r"^(?P<prefix>[a-z][a-z0-9_-]*?-[a-z][a-z0-9_]*)-(?P<index>\d{1,4})$")


def part_prefix(question: Question, part: Mapping[str, Any]) -> str:
    return f"{question.code}-{part['name']}"


@dataclass
class PartForm:
    """One part of a question with its form (a formset for links)."""

    question: Question
    part: dict
    prefix: str
    form: Any
    label: str

    @property
    def kind(self) -> str:
        return self.part["kind"]

    @property
    def template(self) -> str:
        """The kind's template drawing this part's fields."""
        return get_kind(self.kind).form_template

    @property
    def is_formset(self) -> bool:
        return isinstance(self.form, forms.BaseFormSet)

    @property
    def is_labelled_by_question(self) -> bool:
        """Whether the question's own text labels this part, its caption kept for screen
        readers only: the only part of a question (one field, or link rows), or a question's
        first, uncaptioned "answer" (the "Yes / No" under the question it answers)."""
        parts = self.question.parts
        if self.is_formset:
            return len(parts) == 1
        if len(self.form.fields) != 1:
            return False
        return len(parts) == 1 or self.is_question_answer

    @property
    def is_question_answer(self) -> bool:
        """The question's first, uncaptioned "answer" part: what the question itself asks."""
        first = self.question.parts[0]
        return first is self.part and first["name"] == "answer" and not first.get("label")

    @property
    def other_codes(self) -> str:
        """The codes of a choice part's "Other" options, space-separated, for the script that
        shows the "If other, please specify" text only while one of them is ticked."""
        return " ".join(o["code"] for o in self.part.get("options", []) if o.get("other"))

    @property
    def show_if(self) -> dict | None:
        """The sibling part this part depends on, as the browser names it."""
        condition = self.part.get("show_if")
        if not condition:
            return None
        return {"field": f"{self.question.code}-{condition['part']}-value", **condition}


@dataclass
class QuestionForm:
    question: Question
    parts: list[PartForm]
    shown: bool
    # The question it depends on, as the browser names its field, if on this page.
    show_if_field: str = ""
    problems: list[str] = field(default_factory=list)
    # The problems shown at their field: {"message", "field" (the input's id)}, for the
    # error summary; `unplaced` are those no input on the page holds (shown above them).
    placed: list[dict] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    comments: list = field(default_factory=list)
    conflict: Any = None
    # Its answer carried over from the previous edition, and that edition's answer beside it
    # (questionnaire.carried.CarriedQuestion), or None.
    carried: Any = None


class SectionForm:
    """The forms of every question of one section, bound to POST data or filled from stored values.

    `values` are the stored answers of the whole submission ({code: {part:
    value}}): they fill the unbound forms and decide which conditional
    questions start shown. `add_row` names a links part ("q1-links") that gets
    one more empty row.
    """

    def __init__(
        self,
        *,
        questions: Iterable[Question],
        values: Mapping[str, Mapping[str, Any]],
        data: Mapping[str, Any] | None = None,
        add_row: str | None = None,
    ):
        self.data = data
        self.questions: list[QuestionForm] = []
        codes = set()
        page_questions = list(questions)
        on_page = {question.code for question in page_questions}
        for question in page_questions:
            codes.add(question.code)
            question_value = values.get(question.code, {})
            parts = []
            for part in question.parts:
                prefix = part_prefix(question, part)
                kind = get_kind(part["kind"])
                value = part_value(part, question_value)
                # Choices are labelled in the active language.
                form_class = kind.form_class(
                    part_wording(question, part), value=value, add_row=add_row == prefix
                )
                initial = kind.form_initial(value, part)
                if data is None:
                    form = form_class(prefix=prefix, initial=initial)
                else:
                    form = form_class(data=data, prefix=prefix)
                label = part_label(part)
                if not isinstance(form, forms.BaseFormSet) and len(form.fields) == 1:
                    # A part of one field: its label is the part's caption ("Details and
                    # comments"), never a generic "Answer" under a caption "Answer".
                    field_name = next(iter(form.fields))
                    form.fields[field_name].label = part_label(
                        part_wording(question, part, html=True)
                    )
                parts.append(
                    PartForm(question=question, part=part, prefix=prefix, form=form, label=label)
                )
            condition = question.show_if or {}
            show_if_field = (
                f"{condition['question']}-{condition['part']}-value"
                if condition and condition["question"] in on_page
                else ""
            )
            self.questions.append(
                QuestionForm(
                    question=question,
                    parts=parts,
                    shown=question_is_shown(question, values),
                    show_if_field=show_if_field,
                )
            )
        self.prefixes = {part.prefix for question in self.questions for part in question.parts}

    @property
    def link_prefixes(self) -> set[str]:
        return {
            part.prefix for question in self.questions for part in question.parts if part.is_formset
        }

    def is_valid(self) -> bool:
        return all(part.form.is_valid() for question in self.questions for part in question.parts)

    @property
    def form_errors(self) -> list[str]:
        """Errors of the posted data itself (a tampered or truncated page), not of answers."""
        found = []
        for question in self.questions:
            for part in question.parts:
                if part.is_formset:
                    found.extend(str(error) for error in part.form.non_form_errors())
                    for row in part.form.forms:
                        found.extend(str(e) for errors in row.errors.values() for e in errors)
                else:
                    found.extend(str(e) for errors in part.form.errors.values() for e in errors)
        return found

    def raw_values(self) -> dict[str, dict[str, Any]]:
        """{question code: {part name: raw}} of a valid bound form, for services.answers_save."""
        return {
            question.question.code: {
                part.part["name"]: get_kind(part.kind).form_raw(part.form, part.part)
                for part in question.parts
            }
            for question in self.questions
        }

    def annotate(
        self,
        *,
        problems: Mapping[str, list[str]] | None = None,
        errors: Mapping[str, list[str]] | None = None,
        comments: Mapping[int, list] | None = None,
        conflicts: Iterable[Any] = (),
    ) -> None:
        """Attach what the page shows beside each question: problems, refused-save errors,
        reviewers' comments and other officials' conflicting values."""
        by_code = {change.question_code: change for change in conflicts}
        for question in self.questions:
            code = question.question.code
            question.problems = list((problems or {}).get(code, []))
            question.placed, question.unplaced = [], []
            for problem in question.problems:
                target = _error_at_field(question, problem)
                if target:
                    question.placed.append({"message": str(problem), "field": target})
                else:
                    question.unplaced.append(problem)
            question.errors = list((errors or {}).get(code, []))
            question.comments = list((comments or {}).get(question.question.id, []))
            question.conflict = by_code.get(code)


def _error_at_field(question: QuestionForm, problem) -> str:
    """Add `problem` to the errors of the field it concerns, for the page to show it there
    (is-invalid, aria-invalid, aria-describedby); the input's id, or "" if not on the page."""
    part = next((part for part in question.parts if part.part["name"] == problem.part), None)
    if part is None:
        return ""
    target = input_id(question.question.code, problem, part.kind)
    relative = target.removeprefix(f"id_{part.prefix}-")
    form = part.form
    if part.is_formset:
        row, _sep, relative = relative.partition("-")
        if not row.isdigit() or int(row) >= len(form.forms):
            return ""
        form = form.forms[int(row)]
    name, _sep, option = relative.rpartition("_")
    name = name if option.isdigit() else relative
    if name not in form.fields:
        return ""
    bound = form[name]
    # An unbound form's errors are an empty ErrorDict: the message is added, not validated.
    errors = form.errors.setdefault(
        name, form.error_class(renderer=form.renderer, field_id=bound.auto_id)
    )
    if str(problem) not in errors:
        errors.append(str(problem))
    return target


def row_to_remove(value: str, prefixes: set[str]) -> str | None:
    """The "<prefix>-<index>" of a links row named by a "Remove" button, if on this page."""
    match = _ROW_RE.match(value or "")
    if match and match["prefix"] in prefixes:
        return value
    return None


class ConsentForm(forms.Form):
    """The explicit publication authorization: granted or refused, never assumed."""

    consent = forms.ChoiceField(
        label=_("Authorization to publish"),
        choices=[
            (Submission.Consent.GRANTED, _("Yes, I/we authorize UNDESA to publish our responses.")),
            (
                Submission.Consent.REFUSED,
                _("No, I/we do not authorize UNDESA to publish our responses."),
            ),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose one of the two options.")},
    )


class VersionForm(forms.Form):
    """The version a page was built on, posted back with a submission."""

    base_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
