"""The contact kind: {"name", "title", "organization", "emails": [...], "phone"}."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from questionnaire.kinds.base import Kind
from questionnaire.kinds.changes import list_changes, text_changes
from questionnaire.kinds.columns import PartColumn
from questionnaire.kinds.problems import (
    EMAILS_MAX,
    SHORT_TEXT_MAX_LENGTH,
    LimitProblem,
    Problem,
    as_str,
    length_problems,
    posted_dict,
    posted_str,
)

_email_validator = EmailValidator()


def email_list(raw: Any) -> list[str]:
    """Split what was typed in an e-mail box (commas, semicolons, spaces, lines) into addresses."""
    items = [as_str(item) for item in raw] if isinstance(raw, list) else [as_str(raw)]
    addresses: list[str] = []
    for item in items:
        addresses.extend(part for part in re.split(r"[\s,;]+", item) if part)
    return addresses


class ContactKind(Kind):
    name = "contact"
    label = _("Contact")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("name", "title", "organization", "phone")
    # Its caption is shown even when it is the question's only part: the fields alone
    # (Name, Title...) would not say whose they are.
    form_template = "questionnaire/kinds/form/contact.html"
    display_template = "questionnaire/kinds/contact.html"
    pdf_template = "pdf/kinds/contact.html"
    first_field = "name"

    def empty(self):
        return {}

    def coerce(self, raw, part):
        raw = posted_dict(raw, _("the contact"), (*self.TEXT_FIELDS, "emails"))
        value = {
            field: posted_str(raw.get(field), _("the contact's %(field)s") % {"field": field})
            for field in self.TEXT_FIELDS
        }
        emails = raw.get("emails")
        if isinstance(emails, list):
            for email in emails:
                posted_str(email, _("each e-mail address"))
        else:
            posted_str(emails, _("the e-mail addresses"))
        value["emails"] = email_list(emails)
        if not any(value[field].strip() for field in self.TEXT_FIELDS) and not value["emails"]:
            return {}
        return value

    def is_empty(self, value):
        return not value

    def problems(self, value, part):
        found: list[Problem] = []
        if not value.get("name", "").strip():
            found.append(Problem(_("Give the contact's name."), field="name"))
        emails = value.get("emails", [])
        if not emails:
            found.append(Problem(_("Give at least one e-mail address."), field="emails"))
        if len(emails) > EMAILS_MAX:
            found.append(
                LimitProblem(
                    _("At most %(limit)d e-mail addresses can be given.") % {"limit": EMAILS_MAX},
                    field="emails",
                )
            )
        for email in emails:
            try:
                _email_validator(email)
            except ValidationError:
                found.append(
                    Problem(
                        _("“%(email)s” is not a valid e-mail address.") % {"email": email[:200]},
                        field="emails",
                    )
                )
        for field in self.TEXT_FIELDS:
            found += length_problems(
                field.capitalize(), value.get(field, ""), SHORT_TEXT_MAX_LENGTH, field=field
            )
        return found

    def flatten(self, value, part):
        for field in ("name", "title", "organization"):
            if value.get(field):
                yield field, value[field]
        if value.get("emails"):
            yield "emails", "; ".join(value["emails"])
        if value.get("phone"):
            yield "phone", value["phone"]

    def describe_change(self, before, after, part):
        """Each field on its own, and e-mail addresses one by one."""
        before, after = before or {}, after or {}
        subjects = {
            "name": _("the contact's name"),
            "title": _("the contact's title"),
            "organization": _("the contact's organization"),
            "phone": _("the contact's phone"),
        }
        changes = []
        for field in ("name", "title", "organization"):
            changes += text_changes(
                before.get(field, ""), after.get(field, ""), subject=str(subjects[field])
            )
        changes += list_changes(
            before.get("emails", []), after.get("emails", []), subject=str(_("e-mail address"))
        )
        return changes + text_changes(
            before.get("phone", ""), after.get("phone", ""), subject=str(subjects["phone"])
        )

    # The wide exports' columns, one per field, in flatten()'s order.
    WIDE_FIELDS: ClassVar[tuple[str, ...]] = ("name", "title", "organization", "emails", "phone")

    def wide_columns(self, part, *, max_items=0):
        return [
            PartColumn(
                field,
                cell="text: the e-mail addresses, separated by “; ”"
                if field == "emails"
                else f"text: the contact's {field}, as typed",
                caption=field,
            )
            for field in self.WIDE_FIELDS
        ]

    def wide_cells(self, shown_part):
        yield from shown_part.flat

    def form_class(self, part, *, value=None, add_row=False):
        return ContactPartForm

    def form_initial(self, value, part):
        value = value or {}
        initial = {field: as_str(value.get(field)) for field in self.TEXT_FIELDS}
        initial["emails"] = "\n".join(value.get("emails", []))
        return initial

    def form_raw(self, form, part):
        return {field: form.cleaned_data.get(field, "") for field in (*self.TEXT_FIELDS, "emails")}


class ContactPartForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, strip=False)
    title = forms.CharField(label=_("Title"), required=False, strip=False)
    organization = forms.CharField(label=_("Organization"), required=False, strip=False)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_("One or more, separated by commas or on separate lines."),
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, strip=False, widget=forms.TextInput({"type": "tel"})
    )
