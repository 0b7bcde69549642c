"""The choice kinds: yes_no ("yes" | "no" | "") and multi ({"selected": [codes], "other": ""})."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaire.kinds.base import Kind
from questionnaire.kinds.changes import Action, Change, text_changes
from questionnaire.kinds.columns import CHOSEN_LABELS, YES_NO_LABELS, ColumnType, PartColumn
from questionnaire.kinds.problems import (
    TEXT_MAX_LENGTH,
    InputShapeError,
    Problem,
    length_problems,
    posted_dict,
    posted_str,
)


class YesNoKind(Kind):
    name = "yes_no"
    label = _("Yes / No")
    CHOICES: ClassVar[tuple[str, ...]] = ("yes", "no")
    display_template = "questionnaire/kinds/yes_no.html"
    pdf_template = "pdf/kinds/yes_no.html"
    # 1 / 0 rather than the words: analysts count and average them (the share answering
    # yes is the column's mean), and Stata and SPSS show them labelled yes / no.
    wide_cell_text = "1 = yes, 0 = no; empty when not answered"
    wide_type = ColumnType.BINARY
    first_field = "value_0"

    def coerce(self, raw, part):
        value = posted_str(raw, _("the answer")).strip().lower()
        if value and value not in self.CHOICES:
            raise InputShapeError(
                _("the answer should be “yes”, “no” or empty, not “%(value)s”")
                % {"value": value[:50]}
            )
        return value

    def flatten(self, value, part):
        if value in self.CHOICES:
            yield "", value

    def choices(self, part):
        return [("yes", _("Yes")), ("no", _("No"))]

    def chosen(self, value, part):
        return [value] if value in self.CHOICES else []

    def describe_change(self, before, after, part):
        """Yes / No by their labels in the active language."""
        labels = dict(self.choices(part))
        return text_changes(
            str(labels.get(before, before or "")),
            str(labels.get(after, after or "")),
            subject=str(_("the answer")),
        )

    def wide_columns(self, part, *, max_items=0):
        return [PartColumn("", self.wide_type, self.wide_cell_text, value_labels=YES_NO_LABELS)]

    def wide_cells(self, shown_part):
        if shown_part.value in self.CHOICES:
            yield "", 1 if shown_part.value == "yes" else 0

    def form_class(self, part, *, value=None, add_row=False):
        return YesNoPartForm


class YesNoPartForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Answer"),
        required=False,
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )


class MultiKind(Kind):
    name = "multi"
    label = _("Multiple choice")
    has_options = True
    display_template = "questionnaire/kinds/multi.html"
    pdf_template = "pdf/kinds/multi.html"
    first_field = "selected_0"

    def empty(self):
        return {}

    def check_definition(self, part):
        options = part.get("options")
        if not options or not isinstance(options, list):
            return ["a multi part needs a list of options"]
        problems = []
        codes = [option.get("code") for option in options if isinstance(option, dict)]
        if len(codes) != len(options) or not all(codes):
            problems.append("every option needs a code and a label")
        elif len(set(codes)) != len(codes):
            problems.append("option codes repeat")
        if any(isinstance(o, dict) and not o.get("label") for o in options):
            problems.append("every option needs a code and a label")
        return problems

    @staticmethod
    def option_codes(part: dict) -> list[str]:
        return [option["code"] for option in part["options"]]

    @staticmethod
    def other_codes(part: dict) -> set[str]:
        return {option["code"] for option in part["options"] if option.get("other")}

    def coerce(self, raw, part):
        raw = posted_dict(raw, _("the answer"), ("selected", "other"))
        selected_raw = raw.get("selected")
        if not isinstance(selected_raw, list):
            selected_raw = [] if selected_raw in (None, "") else [selected_raw]
        wanted = {posted_str(code, _("each chosen option")) for code in selected_raw}
        codes = self.option_codes(part)
        unknown = sorted(wanted - set(codes))
        if unknown:
            raise InputShapeError(
                _("there is no option “%(code)s” (the options are %(codes)s)")
                % {"code": unknown[0][:50], "codes": ", ".join(codes)}
            )
        # Keep the edition's order, whatever order the browser posted.
        selected = [code for code in codes if code in wanted]
        other = posted_str(raw.get("other"), _("the “Other” text"))
        if not selected and not other.strip():
            return {}
        return {"selected": selected, "other": other}

    def is_empty(self, value):
        return not value or (not value.get("selected") and not value.get("other", "").strip())

    def problems(self, value, part):
        found: list[Problem] = []
        other_selected = bool(set(value.get("selected", [])) & self.other_codes(part))
        other_text = value.get("other", "").strip()
        if other_selected and not other_text:
            found.append(Problem(_("You chose “Other”: please say what."), field="other"))
        # An "Other" text without "Other" ticked is kept and shown as given, never refused:
        # real responses do this, and ticking for the official would add a choice they did
        # not make.
        found += length_problems(
            _("The “Other” text"), value.get("other", ""), TEXT_MAX_LENGTH, field="other"
        )
        return found

    def flatten(self, value, part):
        labels = {option["code"]: option["label"] for option in part["options"]}
        for code in value.get("selected", []):
            yield code, labels.get(code, code)
        if value.get("other", "").strip():
            yield "other_text", value["other"]

    def choices(self, part):
        return [(option["code"], option["label"]) for option in part["options"]]

    def chosen(self, value, part):
        codes = set(self.option_codes(part))
        return [code for code in (value or {}).get("selected", []) if code in codes]

    def describe_change(self, before, after, part):
        """Options ticked and unticked, by their labels in the active language (`part` is
        worded), in the edition's order; then the "Other" text."""
        labels = dict(self.choices(part))
        before, after = before or {}, after or {}
        old, new = set(before.get("selected", [])), set(after.get("selected", []))
        # Codes the part no longer lists (an edited edition) come last, by their code.
        order = [*labels, *sorted((old | new) - set(labels))]
        changes = [
            Change(Action.UNTICKED, "", before=str(labels.get(code, code)))
            if code in old
            else Change(Action.TICKED, "", after=str(labels.get(code, code)))
            for code in order
            if (code in old) != (code in new)
        ]
        return changes + text_changes(
            before.get("other", ""), after.get("other", ""), subject=str(_("the “Other” text"))
        )

    def wide_columns(self, part, *, max_items=0):
        """A 0/1 column per option, named by its code, then the "Other" text. The text has a
        column even where no option is "Other": such a text is kept, never lost (problems())."""
        return [
            *(
                PartColumn(
                    option["code"],
                    ColumnType.BINARY,
                    f"1 = chosen, 0 = not chosen: “{option['label']}”; empty when not answered",
                    caption=option["label"],
                    value_labels=CHOSEN_LABELS,
                )
                for option in part["options"]
            ),
            PartColumn("other_text", ColumnType.TEXT, "text: the “Other” text, as typed", "other"),
        ]

    def wide_cells(self, shown_part):
        if shown_part.is_empty:
            return
        selected = set(shown_part.value.get("selected", []))
        for code in self.option_codes(shown_part.definition):
            yield code, int(code in selected)
        yield "other_text", dict(shown_part.flat).get("other_text")

    def carry_over(self, value, part, options):
        """The choices renamed through `options`, in the part's order; a choice it has no
        counterpart for is dropped and returned. The "Other" text is kept as typed (shown
        apart if the part has no "Other" option, as always)."""
        value = value or {}
        codes = self.option_codes(part)
        wanted: set[str] = set()
        dropped: list[str] = []
        for code in value.get("selected", []):
            new = options.get(code) if code in options else (code if code in codes else None)
            if new is None:
                dropped.append(code)
            else:
                wanted.add(new)
        carried = {"selected": [code for code in codes if code in wanted]}
        carried["other"] = value.get("other", "")
        return ({} if self.is_empty(carried) else carried), dropped

    def form_class(self, part, *, value=None, add_row=False):
        notes = [option for option in part["options"] if option.get("footnote")]
        marks = {option["code"]: "*" * index for index, option in enumerate(notes, start=1)}
        fields: dict[str, forms.Field] = {
            "selected": forms.MultipleChoiceField(
                label=_("Choose whichever applies"),
                required=False,
                choices=[
                    (option["code"], f"{option['label']}{marks.get(option['code'], '')}")
                    for option in part["options"]
                ],
                widget=forms.CheckboxSelectMultiple,
                help_text=" ".join(
                    f"{marks[option['code']]} {option['footnote']}" for option in notes
                ),
            )
        }
        if self.other_codes(part):
            fields["other"] = forms.CharField(
                label=_("If other, please specify"),
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        return type("MultiPartForm", (forms.Form,), fields)

    def form_initial(self, value, part):
        value = value or {}
        return {"selected": list(value.get("selected", [])), "other": value.get("other", "")}

    def form_raw(self, form, part):
        return {
            "selected": form.cleaned_data.get("selected", []),
            "other": form.cleaned_data.get("other", ""),
        }

    def display_context(self, value, part):
        labels = {option["code"]: option["label"] for option in part["options"]}
        value = value or {}
        return {
            "labels": [labels.get(code, code) for code in value.get("selected", [])],
            "other": value.get("other", ""),
            # An "Other" text without "Other" ticked is shown as given, saying so.
            "other_ticked": bool(set(value.get("selected", [])) & self.other_codes(part)),
            "part": part,
            "is_empty": self.is_empty(value),
        }

    def pdf_context(self, value, part):
        """Every option, whether it was chosen, and the "Other" text beside its box; an
        "Other" text typed where the part has no "Other" option is printed apart, never lost."""
        value = value or {}
        selected = set(value.get("selected", []))
        other_text = value.get("other", "")
        options = [
            {
                "code": option["code"],
                "label": option["label"],
                "footnote": option.get("footnote", ""),
                "chosen": option["code"] in selected,
                "other_text": other_text if option.get("other") else "",
            }
            for option in part.get("options", [])
        ]
        return {"options": options, "loose_other": "" if self.other_codes(part) else other_text}
