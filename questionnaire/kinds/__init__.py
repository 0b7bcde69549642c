"""The registry of answer kinds: what each kind of answer part stores and how it is checked.

A question is made of parts (q6: a yes_no, a text and links); each part has a
kind from KINDS. A kind knows its empty value, how to coerce whatever a form or
JSON endpoint posts into its stored shape (keeping what was typed, valid or
not; refusing a value of the wrong type rather than storing it as empty),
which problems block submission, and how to flatten a value into plain
strings for display and exports. Adding a kind means adding one class here.

Stored shapes (see ../shared/msq-2020-questionnaire.md, "Answer shapes"):
- text: "..."
- yes_no: "yes" | "no" | ""
- links: [{"name": "", "url": "", "note": ""}, ...]
- contact: {"name", "title", "organization", "emails": [...], "phone"}
- multi: {"selected": [option codes], "other": ""}
- percentage: {"value": "2.2" (as typed), "comment": ""}
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import unquote

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Limits a draft may hold. Beyond them the save is refused with a message; a
# value is never cut silently.
TEXT_MAX_LENGTH = 20_000
SHORT_TEXT_MAX_LENGTH = 500
URL_MAX_LENGTH = 2_000
LINKS_MAX_ROWS = 100
EMAILS_MAX = 10

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# Where a URL's host and port end. Browsers read a backslash as a slash in http(s) URLs.
_AUTHORITY_END_RE = re.compile(r"[/?#\\]")
# A plain decimal as officials write a percentage: ASCII digits, at most one decimal
# mark, "." or "," (most of the world writes 2,5). No sign, exponent or underscore.
_DECIMAL_RE = re.compile(r"(?P<whole>[0-9]*)(?:[.,](?P<fraction>[0-9]+))?", re.ASCII)
_email_validator = EmailValidator()


class Problem(str):
    """A message explaining why a value cannot be submitted as it stands.

    A str (the message, in the active language) that also carries a `code` saying what
    kind of problem it is, so that code never decides by the message's text, which
    changes with the language: MISSING (a required part left empty), INVALID (a wrong
    value: a bad URL, 120 %), LIMIT (beyond what a draft may hold).
    """

    MISSING = "missing"
    INVALID = "invalid"
    LIMIT = "limit"

    code = INVALID

    def __new__(cls, message: str, code: str | None = None):
        problem = super().__new__(cls, message)
        if code is not None:
            problem.code = code
        return problem


class LimitProblem(Problem):
    """A value beyond what a draft may hold: the save is refused rather than the value cut."""

    code = Problem.LIMIT


class InputShapeError(ValueError):
    """A posted value of the wrong type or shape for its part: a list where text goes, an
    unknown key, an option the part does not have.

    The form pages never post such values; the JSON autosave may. The save is refused as
    a whole: storing the value as empty would silently clear the official's answer.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _as_str(value: Any) -> str:
    """A stored value as text, for display (stored values went through coerce())."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_type(raw: Any) -> str:
    if isinstance(raw, bool):
        return _("true/false")
    if isinstance(raw, list):
        return _("a list")
    if isinstance(raw, dict):
        return _("an object")
    return _("a value of another type")


def _shape_error(field: str, expected: str, raw: Any) -> InputShapeError:
    return InputShapeError(
        _("%(field)s should be %(expected)s, not %(found)s")
        % {"field": field, "expected": expected, "found": _json_type(raw)}
    )


def newlines_normalised(value: Any) -> Any:
    """`value` (text, or a stored shape of lists and dicts) with every line break as "\\n".

    A browser posts a textarea's line breaks as CRLF in a form and as LF from script
    (the autosave), so the same text would be stored two ways, and each save would
    look like a change. Every posted string goes through here (`_posted_str`).
    """
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dict):
        return {key: newlines_normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [newlines_normalised(item) for item in value]
    return value


def _posted_str(raw: Any, field: str) -> str:
    """Posted text, line breaks as "\\n"; null is empty and a JSON number is kept as written
    (45.5 -> "45.5")."""
    if raw is None or isinstance(raw, str):
        return newlines_normalised(raw or "")
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        return str(raw)
    raise _shape_error(field, _("text"), raw)


def _posted_list(raw: Any, field: str) -> list:
    if raw is None:
        return []
    if isinstance(raw, list):
        return raw
    raise _shape_error(field, _("a list"), raw)


def _posted_dict(raw: Any, field: str, keys: tuple[str, ...]) -> dict:
    """A posted object whose keys are all known: a misspelt key would otherwise save as empty."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _shape_error(field, _("an object"), raw)
    unknown = sorted(str(key) for key in raw if key not in keys)
    if unknown:
        raise InputShapeError(
            _("%(field)s has no “%(key)s” (it has %(keys)s)")
            % {"field": field, "key": unknown[0][:50], "keys": ", ".join(keys)}
        )
    return raw


def _length_problems(label: str, text: str, limit: int) -> list[Problem]:
    if len(text) > limit:
        return [
            LimitProblem(
                _("%(label)s is %(length)d characters long; the limit is %(limit)d.")
                % {"label": label, "length": len(text), "limit": limit}
            )
        ]
    return []


def _port_is_valid(port: str) -> bool:
    return not port or (port.isascii() and port.isdigit() and 0 < int(port) <= 65535)


def _host_is_public(host: str) -> bool:
    """Whether a host can name a site on the internet: an IP address, or a dotted name
    whose last label is a word (a top-level domain: "uz", "рф", "xn--p1ai").

    Names in any script are accepted (президент.рф), percent-encoded or not; "localhost",
    "gov" or "." are not a public portal's address.
    """
    name = unquote(host).removesuffix(".")
    labels = name.split(".")
    if len(labels) < 2:
        return False
    if all(label.isascii() and label.isdigit() for label in labels):
        return _is_ip_address(name)
    for label in labels:
        if not 0 < len(label) <= 63 or label.startswith("-") or label.endswith("-"):
            return False
        if not all(char.isalnum() or char in "-_" for char in label):
            return False
    top = labels[-1]
    return (len(top) >= 2 and top.isalpha()) or (top.startswith("xn--") and top.isascii())


def _is_ip_address(text: str, *, version: int | None = None) -> bool:
    """Whether `text` is a public IP address: a private, loopback or reserved one
    (10.0.0.1, 127.0.0.1, [::1]) is no portal address the public can reach."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return (version is None or address.version == version) and address.is_global


def _authority_is_valid(authority: str) -> bool:
    """Whether "host[:port]" names a public host on a valid port.

    A user name before the host is refused: no public portal needs one, and
    "https://gov.uz@evil.example" would link a reviewer to evil.example.
    """
    if "@" in authority:
        return False
    host_port = authority
    if host_port.startswith("["):
        host, bracket, after = host_port[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            return False
        return _is_ip_address(host, version=6) and _port_is_valid(after[1:])
    host, _colon, port = host_port.partition(":")
    return _host_is_public(host) and _port_is_valid(port)


def url_href(url: str) -> str | None:
    """The address to link to for a URL as an official typed it, or None if it is not one.

    "www.ek.uz" becomes "http://www.ek.uz"; a remark after the address
    ("https://gov.uz (main portal)") is left out of the link, and so is a comma
    or semicolon before the next one; fragments and percent-encoded queries are
    kept exactly. The host must be a public one (a dotted name or an IP address,
    a port in range): "http://" alone or "http://localhost" is not an address.
    Only http(s) addresses are linked: "javascript:" and the like never become a link.
    """
    candidate = url.strip().split()[0].rstrip(",;") if url.strip() else ""
    if not candidate:
        return None
    if _SCHEME_RE.match(candidate):
        scheme, rest = candidate.split("://", 1)
        if scheme.lower() not in {"http", "https"}:
            return None
        authority = _AUTHORITY_END_RE.split(rest, maxsplit=1)[0]
        return candidate if _authority_is_valid(authority) else None
    if candidate.startswith("//"):
        candidate = candidate[2:]
    authority = _AUTHORITY_END_RE.split(candidate, maxsplit=1)[0]
    # Without a scheme, "name@host" is an e-mail address, not a link.
    if not _authority_is_valid(authority):
        return None
    return f"http://{candidate}"


def email_list(raw: Any) -> list[str]:
    """Split what was typed in an e-mail box (commas, semicolons, spaces, lines) into addresses."""
    items = [_as_str(item) for item in raw] if isinstance(raw, list) else [_as_str(raw)]
    addresses: list[str] = []
    for item in items:
        addresses.extend(part for part in re.split(r"[\s,;]+", item) if part)
    return addresses


class Kind:
    """One kind of answer part. Subclasses set `name` and override the value hooks."""

    name: ClassVar[str]
    label: ClassVar[str]

    def empty(self) -> Any:
        return ""

    def check_definition(self, part: dict) -> list[str]:
        """Problems with a part's definition in an edition file (plain English, for the loader)."""
        return []

    def coerce(self, raw: Any, part: dict) -> Any:
        """The stored shape of a posted value, keeping what was typed even if invalid.

        Raises InputShapeError for a value of the wrong type or shape (JSON only).
        """
        return _posted_str(raw, _("the answer"))

    def is_empty(self, value: Any) -> bool:
        return value in (None, "", [], {})

    def problems(self, value: Any, part: dict) -> list[Problem]:
        """What blocks submission of a non-empty value (emptiness is checked by the caller)."""
        return []

    def flatten(self, value: Any, part: dict) -> Iterator[tuple[str, str]]:
        """(sub-field, text) pairs for display and exports; empty values yield nothing."""
        if not self.is_empty(value):
            yield "", _as_str(value)

    def limit_problems(self, value: Any, part: dict) -> list[LimitProblem]:
        """What is beyond the limits a draft may hold: such a save is refused as a whole."""
        if self.is_empty(value):
            return []
        return [
            problem for problem in self.problems(value, part) if isinstance(problem, LimitProblem)
        ]

    # --- Forms and HTML (the filling flow and the read-only pages) ---------

    display_template: ClassVar[str] = "questionnaire/kinds/text.html"

    def form_class(self, part: dict) -> type[forms.Form]:
        """The form (one per part, prefixed by question and part) officials type into."""
        return TextPartForm

    def form_initial(self, value: Any, part: dict) -> Any:
        return {"value": _as_str(value)}

    def form_raw(self, form: forms.Form, part: dict) -> Any:
        """What a valid bound form posted, for coerce(): exactly as typed."""
        return form.cleaned_data.get("value", "")

    def display_context(self, value: Any, part: dict) -> dict:
        return {"value": value, "part": part, "is_empty": self.is_empty(value)}

    def render_html(self, value: Any, part: dict) -> SafeString:
        """The read-only HTML of a stored value; every answer is escaped by the template."""
        return render_to_string(self.display_template, self.display_context(value, part))


class TextKind(Kind):
    name = "text"
    label = _("Text")

    def problems(self, value, part):
        return _length_problems(_("The answer"), _as_str(value), TEXT_MAX_LENGTH)

    def form_class(self, part):
        return TextPartForm


class YesNoKind(Kind):
    name = "yes_no"
    label = _("Yes / No")
    CHOICES: ClassVar[tuple[str, ...]] = ("yes", "no")

    def coerce(self, raw, part):
        value = _posted_str(raw, _("the answer")).strip().lower()
        if value and value not in self.CHOICES:
            raise InputShapeError(
                _("the answer should be “yes”, “no” or empty, not “%(value)s”")
                % {"value": value[:50]}
            )
        return value

    def flatten(self, value, part):
        if value in self.CHOICES:
            yield "", value

    display_template = "questionnaire/kinds/yes_no.html"

    def form_class(self, part):
        return YesNoPartForm


class LinksKind(Kind):
    name = "links"
    label = _("Links")
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "url", "note")

    def empty(self):
        return []

    def coerce(self, raw, part):
        coerced = []
        for index, row in enumerate(_posted_list(raw, _("the links")), start=1):
            row = _posted_dict(row, _("link %(n)d") % {"n": index}, self.FIELDS)
            clean = {
                field: _posted_str(
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
            if not url.strip():
                found.append(Problem(_("Link %(n)d has no URL.") % {"n": index}))
            elif url_href(url) is None:
                found.append(
                    Problem(
                        _("Link %(n)d: “%(url)s” does not look like a web address.")
                        % {"n": index, "url": url[:200]}
                    )
                )
            found += _length_problems(_("Link %(n)d's URL") % {"n": index}, url, URL_MAX_LENGTH)
            found += _length_problems(
                _("Link %(n)d's name") % {"n": index}, name, SHORT_TEXT_MAX_LENGTH
            )
            found += _length_problems(
                _("Link %(n)d's note") % {"n": index}, row.get("note", ""), TEXT_MAX_LENGTH
            )
        return found

    def flatten(self, value, part):
        for index, row in enumerate(value, start=1):
            for field in self.FIELDS:
                if row.get(field):
                    yield f"{index}.{field}", row[field]

    display_template = "questionnaire/kinds/links.html"

    def form_class(self, part, *, extra: int = 0):
        """A formset of name / URL / note rows; `extra` adds empty rows ("Add another")."""
        return forms.formset_factory(
            LinkRowForm,
            formset=BaseLinksFormSet,
            extra=extra,
            can_delete=True,
            max_num=LINKS_MAX_ROWS,
            validate_max=True,
            absolute_max=LINKS_MAX_ROWS,
        )

    def form_initial(self, value, part):
        return [{field: _as_str(row.get(field)) for field in self.FIELDS} for row in value or []]

    def form_raw(self, form, part):
        return [
            {field: row.cleaned_data.get(field, "") for field in self.FIELDS}
            for row in form.forms
            if not row.cleaned_data.get("DELETE")
        ]

    def display_context(self, value, part):
        rows = [{**row, "href": url_href(row.get("url", ""))} for row in value or []]
        return {"rows": rows, "part": part, "is_empty": self.is_empty(value)}


class ContactKind(Kind):
    name = "contact"
    label = _("Contact")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("name", "title", "organization", "phone")

    def empty(self):
        return {}

    def coerce(self, raw, part):
        raw = _posted_dict(raw, _("the contact"), (*self.TEXT_FIELDS, "emails"))
        value = {
            field: _posted_str(raw.get(field), _("the contact's %(field)s") % {"field": field})
            for field in self.TEXT_FIELDS
        }
        emails = raw.get("emails")
        if isinstance(emails, list):
            for email in emails:
                _posted_str(email, _("each e-mail address"))
        else:
            _posted_str(emails, _("the e-mail addresses"))
        value["emails"] = email_list(emails)
        if not any(value[field].strip() for field in self.TEXT_FIELDS) and not value["emails"]:
            return {}
        return value

    def is_empty(self, value):
        return not value

    def problems(self, value, part):
        found: list[Problem] = []
        if not value.get("name", "").strip():
            found.append(Problem(_("Give the contact's name.")))
        emails = value.get("emails", [])
        if not emails:
            found.append(Problem(_("Give at least one e-mail address.")))
        if len(emails) > EMAILS_MAX:
            found.append(
                LimitProblem(
                    _("At most %(limit)d e-mail addresses can be given.") % {"limit": EMAILS_MAX}
                )
            )
        for email in emails:
            try:
                _email_validator(email)
            except ValidationError:
                found.append(
                    Problem(
                        _("“%(email)s” is not a valid e-mail address.") % {"email": email[:200]}
                    )
                )
        for field in self.TEXT_FIELDS:
            found += _length_problems(
                field.capitalize(), value.get(field, ""), SHORT_TEXT_MAX_LENGTH
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

    display_template = "questionnaire/kinds/contact.html"

    def form_class(self, part):
        return ContactPartForm

    def form_initial(self, value, part):
        value = value or {}
        initial = {field: _as_str(value.get(field)) for field in self.TEXT_FIELDS}
        initial["emails"] = "\n".join(value.get("emails", []))
        return initial

    def form_raw(self, form, part):
        return {field: form.cleaned_data.get(field, "") for field in (*self.TEXT_FIELDS, "emails")}


class MultiKind(Kind):
    name = "multi"
    label = _("Multiple choice")

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
        raw = _posted_dict(raw, _("the answer"), ("selected", "other"))
        selected_raw = raw.get("selected")
        if not isinstance(selected_raw, list):
            selected_raw = [] if selected_raw in (None, "") else [selected_raw]
        wanted = {_posted_str(code, _("each chosen option")) for code in selected_raw}
        codes = self.option_codes(part)
        unknown = sorted(wanted - set(codes))
        if unknown:
            raise InputShapeError(
                _("there is no option “%(code)s” (the options are %(codes)s)")
                % {"code": unknown[0][:50], "codes": ", ".join(codes)}
            )
        # Keep the edition's order, whatever order the browser posted.
        selected = [code for code in codes if code in wanted]
        other = _posted_str(raw.get("other"), _("the “Other” text"))
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
            found.append(Problem(_("You chose “Other”: please say what.")))
        # An "Other" text without "Other" ticked is kept and shown as given, never refused:
        # real responses do this, and ticking for the official would add a choice they did
        # not make.
        found += _length_problems(_("The “Other” text"), value.get("other", ""), TEXT_MAX_LENGTH)
        return found

    def flatten(self, value, part):
        labels = {option["code"]: option["label"] for option in part["options"]}
        for code in value.get("selected", []):
            yield code, labels.get(code, code)
        if value.get("other", "").strip():
            yield "other_text", value["other"]

    display_template = "questionnaire/kinds/multi.html"

    def form_class(self, part):
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


def _read_percentage(typed: str) -> Decimal | Problem:
    """The number in a typed percentage ("45,5", " 50 %", "2.2"), or why it is not one.

    One decimal mark, "." or ",": a second one, an exponent ("1e2"), an underscore,
    "nan" or "inf" is not a number as officials write one. A mark followed by exactly
    three zeros after a non-zero whole part ("1,000", "100.000") is most likely a
    thousands separator: read as a decimal it would show one number and mean
    another, so it is refused rather than guessed. Other three-digit fractions
    ("12.375", "1,125") can only be decimals: as thousands they would be 1,000 or
    more, far out of range.
    """
    text = typed.strip().removesuffix("%").rstrip()
    negative = text.startswith("-")
    match = _DECIMAL_RE.fullmatch(text.removeprefix("-"))
    if not text or not match or not (match["whole"] or match["fraction"]):
        return Problem(
            _(
                "“%(value)s” is not a number: write it with the digits 0 to 9 and at most "
                "one decimal mark, like 2.5 or 2,5."
            )
            % {"value": typed[:50]}
        )
    whole, fraction = match["whole"], match["fraction"] or ""
    if fraction == "000" and whole and not whole.startswith("0"):
        return Problem(
            _(
                "“%(value)s” could be read with a thousands separator or with three decimals: "
                "a percentage is between 0 and 100, write its decimals like 12.5 or 12,25."
            )
            % {"value": typed[:50]}
        )
    number = Decimal(f"{whole or 0}.{fraction or 0}")
    if negative or number > 100:
        return Problem(
            _("“%(value)s” is out of range: a percentage is between 0 and 100.")
            % {"value": typed[:50]}
        )
    return number


class PercentageKind(Kind):
    name = "percentage"
    label = _("Percentage")

    def empty(self):
        return {}

    def coerce(self, raw, part):
        # A bare number or text is the percentage itself.
        raw = raw if isinstance(raw, dict) or raw is None else {"value": raw}
        raw = _posted_dict(raw, _("the answer"), ("value", "comment"))
        value = {
            "value": _posted_str(raw.get("value"), _("the percentage")).strip(),
            "comment": _posted_str(raw.get("comment"), _("the comment")),
        }
        if not value["value"] and not value["comment"].strip():
            return {}
        return value

    def is_empty(self, value):
        return not value or (not value.get("value") and not value.get("comment", "").strip())

    @staticmethod
    def number(value: dict) -> Decimal | None:
        """The typed number as a Decimal, or None when it is not one a percentage can be."""
        read = _read_percentage((value or {}).get("value", ""))
        return read if isinstance(read, Decimal) else None

    def problems(self, value, part):
        found: list[Problem] = []
        typed = value.get("value", "")
        if typed:
            read = _read_percentage(typed)
            if isinstance(read, Problem):
                found.append(read)
        found += _length_problems(_("The percentage"), typed, SHORT_TEXT_MAX_LENGTH)
        found += _length_problems(_("The comment"), value.get("comment", ""), TEXT_MAX_LENGTH)
        return found

    def flatten(self, value, part):
        if value.get("value"):
            yield "value", value["value"]
        if value.get("comment", "").strip():
            yield "comment", value["comment"]

    display_template = "questionnaire/kinds/percentage.html"

    def form_class(self, part):
        return PercentagePartForm

    def form_initial(self, value, part):
        value = value or {}
        return {"value": value.get("value", ""), "comment": value.get("comment", "")}

    def form_raw(self, form, part):
        return {
            "value": form.cleaned_data.get("value", ""),
            "comment": form.cleaned_data.get("comment", ""),
        }


# --- The forms of the kinds ---------------------------------------------------
# Every field is optional and keeps what was typed (strip=False, no format
# validation): a draft may be incomplete or wrong, problems() says what blocks
# submission. No maxlength attribute either: browsers cut pasted text at it
# silently; the limits are checked on save and explained instead.


def _text_help(limit: int):
    return ngettext_lazy("Up to %(limit)d character.", "Up to %(limit)d characters.", "limit") % {
        "limit": limit
    }


class TextPartForm(forms.Form):
    value = forms.CharField(
        label=_("Answer"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_text_help(TEXT_MAX_LENGTH),
    )


class YesNoPartForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Answer"),
        required=False,
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )


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


class PercentagePartForm(forms.Form):
    value = forms.CharField(
        label=_("Percentage (0 to 100, decimals allowed)"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (TextKind(), YesNoKind(), LinksKind(), ContactKind(), MultiKind(), PercentageKind())
}


def get_kind(name: str) -> Kind:
    return KINDS[name]
