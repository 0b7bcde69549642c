"""The links kind: rows of name / URL / note ([{"name", "url", "note"}, ...]).

Its flattened fields are keyed "<row>.<field>" ("1.url"): row_key() builds them and
the tidy CSV's item / field columns are read back from them here, by the kind.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from questionnaire.kinds.base import Kind
from questionnaire.kinds.changes import Action, Change, text_changes
from questionnaire.kinds.columns import PartColumn
from questionnaire.kinds.problems import (
    LINKS_MAX_ROWS,
    SHORT_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
    LimitProblem,
    Problem,
    as_str,
    length_problems,
    posted_dict,
    posted_list,
    posted_str,
)
from questionnaire.kinds.web_addresses import url_href


def row_key(index: int, field: str) -> str:
    """The flattened key of one field of a link row: "1.url"."""
    return f"{index}.{field}"


def row_key_split(key: str) -> tuple[str, str]:
    """("1", "url") of a key made by row_key(); ("", key) for any other key."""
    index, dot, field = key.partition(".")
    return (index, field) if dot and index.isdigit() else ("", key)


class LinksKind(Kind):
    name = "links"
    label = _("Links")
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "url", "note")
    form_template = "questionnaire/kinds/form/links.html"
    first_field = "0-url"
    display_template = "questionnaire/kinds/links.html"
    pdf_template = "pdf/kinds/links.html"

    def empty(self):
        return []

    def coerce(self, raw, part):
        coerced = []
        for index, row in enumerate(posted_list(raw, _("the links")), start=1):
            row = posted_dict(row, _("link %(n)d") % {"n": index}, self.FIELDS)
            clean = {
                field: posted_str(
                    row.get(field), _("link %(n)d's %(field)s") % {"n": index, "field": field}
                )
                for field in self.FIELDS
            }
            # A row left entirely blank is not an answer: drop it instead of storing noise.
            if any(text.strip() for text in clean.values()):
                coerced.append(clean)
        return coerced

    def is_empty(self, value):
        return not value

    def problems(self, value, part):
        found: list[Problem] = []
        if len(value) > LINKS_MAX_ROWS:
            found.append(
                LimitProblem(
                    _("At most %(limit)d links can be listed.") % {"limit": LINKS_MAX_ROWS}
                )
            )
        for index, row in enumerate(value, start=1):
            url = row.get("url", "")
            name = row.get("name", "")
            # The row's fields in the form: rows are numbered from 0 there.
            at = {key: f"{index - 1}-{key}" for key in self.FIELDS}
            if not url.strip():
                found.append(Problem(_("Link %(n)d has no URL.") % {"n": index}, field=at["url"]))
            elif url_href(url) is None:
                found.append(
                    Problem(
                        _("Link %(n)d: “%(url)s” does not look like a web address.")
                        % {"n": index, "url": url[:200]},
                        field=at["url"],
                    )
                )
            # Each label is translated only for a field over its limit: lists check every
            # link of 193 submissions (the reviewers' list), where this was most of the time.
            note = row.get("note", "")
            if len(url) > URL_MAX_LENGTH:
                found += length_problems(
                    _("Link %(n)d's URL") % {"n": index}, url, URL_MAX_LENGTH, field=at["url"]
                )
            if len(name) > SHORT_TEXT_MAX_LENGTH:
                found += length_problems(
                    _("Link %(n)d's name") % {"n": index},
                    name,
                    SHORT_TEXT_MAX_LENGTH,
                    field=at["name"],
                )
            if len(note) > TEXT_MAX_LENGTH:
                found += length_problems(
                    _("Link %(n)d's note") % {"n": index}, note, TEXT_MAX_LENGTH, field=at["note"]
                )
        return found

    def flatten(self, value, part):
        for index, row in enumerate(value, start=1):
            for field in self.FIELDS:
                if row.get(field):
                    yield row_key(index, field), row[field]

    def form_class(self, part, *, value=None, add_row=False):
        """A formset of name / URL / note rows: one empty row to type into when there are
        none, and one more when "Add another" was pressed."""
        return forms.formset_factory(
            LinkRowForm,
            formset=BaseLinksFormSet,
            extra=(0 if value else 1) + (1 if add_row else 0),
            can_delete=True,
            max_num=LINKS_MAX_ROWS,
            validate_max=True,
            absolute_max=LINKS_MAX_ROWS,
        )

    def form_initial(self, value, part):
        return [{field: as_str(row.get(field)) for field in self.FIELDS} for row in value or []]

    def form_raw(self, form, part):
        return [
            {field: row.cleaned_data.get(field, "") for field in self.FIELDS}
            for row in form.forms
            if not row.cleaned_data.get("DELETE")
        ]

    @staticmethod
    def linked_rows(value) -> list[dict]:
        """The rows, each with the address its URL links to ("href", None when not one)."""
        return [{**row, "href": url_href(row.get("url", ""))} for row in value or []]

    def display_context(self, value, part):
        return {"rows": self.linked_rows(value), "part": part, "is_empty": self.is_empty(value)}

    def pdf_context(self, value, part):
        return {"rows": self.linked_rows(value)}

    # --- What changed, link by link (the reviewers' history) ----------------------

    @staticmethod
    def row_text(row: dict) -> str:
        """A link in one line: its URL, then its name and note when it has them."""
        return " — ".join(row[field] for field in ("url", "name", "note") if row.get(field))

    def describe_change(self, before, after, part):
        """Links removed, edited and added. A row edited in place is found by its URL (its
        name or note changed), else by its name (its URL changed); rows kept as they were,
        even moved, say nothing."""
        old_left = list(before or [])
        new_left = []
        for row in after or []:
            if row in old_left:
                old_left.remove(row)
            else:
                new_left.append(row)
        pairs: list[tuple[dict, dict]] = []
        for key in ("url", "name"):
            for row in list(new_left):
                typed = row.get(key, "").strip()
                match = next(
                    (old for old in old_left if typed and old.get(key, "").strip() == typed), None
                )
                if match is not None:
                    pairs.append((match, row))
                    old_left.remove(match)
                    new_left.remove(row)
        changes = [
            Change(Action.REMOVED, str(_("link")), before=self.row_text(row)) for row in old_left
        ]
        for old, new in pairs:
            # Named as the reviewer knows it: by its name, else by its URL.
            link = new.get("name") or old.get("name") or new.get("url", "")
            subjects = {
                "url": _("the URL of link “%(link)s”"),
                "name": _("the name of link “%(link)s”"),
                "note": _("the note of link “%(link)s”"),
            }
            for field in ("url", "name", "note"):
                changes += text_changes(
                    old.get(field, ""),
                    new.get(field, ""),
                    subject=subjects[field] % {"link": new.get("url") if field == "name" else link},
                )
        return changes + [
            Change(Action.ADDED, str(_("link")), after=self.row_text(row)) for row in new_left
        ]

    def tidy_items(self, shown_part):
        for key, text in shown_part.flat:
            yield (*row_key_split(key), text)

    # --- The wide exports: each link's fields in columns of their own -------------

    has_items = True
    # With the last check of each URL, which the exports add after it (linkcheck, issue 16).
    WIDE_FIELDS: ClassVar[dict[str, str]] = {
        "name": "text: the link's name, as typed",
        "url": "text: the URL, as typed",
        "note": "text: the note on the link, as typed",
        "link_status": "text: the link checker's last finding on the URL (empty: not checked)",
    }

    @staticmethod
    def wide_field(index: str | int, field: str) -> str:
        """The wide column's field of a link's field: "link1.url"."""
        return f"link{index}.{field}"

    def item_count(self, value):
        return len(value) if isinstance(value, list) else 0

    def wide_columns(self, part, *, max_items=0):
        """Each field of link 1, then link 2..., up to the most links any country gave
        (at least one link's columns, so that every part has its columns)."""
        return [
            PartColumn(self.wide_field(index, field), cell=cell, caption=f"link {index}: {field}")
            for index in range(1, max(max_items, 1) + 1)
            for field, cell in self.WIDE_FIELDS.items()
        ]

    def wide_cells(self, shown_part):
        for key, text in shown_part.flat:
            index, field = row_key_split(key)
            if index:
                yield self.wide_field(index, field), text


class LinkRowForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, strip=False)
    url = forms.CharField(
        label=_("URL"),
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={"inputmode": "url", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, strip=False)


class BaseLinksFormSet(forms.BaseFormSet):
    # Rows are removed with a button (or by the script), not a checkbox: the
    # marker travels in a hidden input.
    deletion_widget = forms.HiddenInput

    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": ngettext_lazy(
            "At most %(num)d link can be listed.", "At most %(num)d links can be listed.", "num"
        ),
    }
