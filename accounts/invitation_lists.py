"""Inviting the focal points of several countries at once, from a pasted list of addresses.

Each line names a country (ISO alpha-2, alpha-3 or its name) and an e-mail address,
separated by a comma, a semicolon or a tab: "UZ, name@gov.uz". Every line is checked
before anything is sent; one wrong line and nothing is invited. The invitations
themselves are accounts.invitations' (one mechanism: the same links, expiry and
replacement rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.invitations import InvitationError, invitation_create
from accounts.models import Country, Invitation, User

# More than this in one paste is a mistake (there are 193 Member States).
MAX_LINES = 400
_SEPARATOR = re.compile(r"[,;\t]")


@dataclass
class InvitationLine:
    """One pasted line, what it names, and what is wrong with it (empty when nothing is)."""

    number: int
    text: str
    country: Country | None = None
    email: str = ""
    error: str = ""


class InvitationListError(Exception):
    """Some lines are wrong: nothing was invited. `lines` says which and why."""

    def __init__(self, lines: list[InvitationLine]):
        super().__init__("invitation list refused")
        self.lines = lines


def _countries_by_key() -> dict[str, Country]:
    found: dict[str, Country] = {}
    for country in Country.objects.all():
        for key in (country.iso2, country.iso3, country.name, country.official_name):
            found[key.casefold()] = country
    return found


def invitation_lines_parse(*, text: str) -> list[InvitationLine]:
    """The non-blank lines of `text`, each with its country and address, or with an error.

    Checked: the format, the country, the address, an address or a country given twice,
    and that the country has no official account yet (a new focal point of a country
    that has one takes over its role: that is done from the country's own page).
    Reads only; two queries whatever the number of lines.
    """
    countries = _countries_by_key()
    raw = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [InvitationLine(number=number, text=line) for number, line in raw if line]
    if len(lines) > MAX_LINES:
        lines[MAX_LINES].error = str(_("At most %(count)d lines at a time.") % {"count": MAX_LINES})
        return lines[: MAX_LINES + 1]
    for line in lines:
        parts = _SEPARATOR.split(line.text, maxsplit=1)
        if len(parts) != 2:
            line.error = str(_("Write the country, a comma, then the e-mail address."))
            continue
        name, email = parts[0].strip(), parts[1].strip()
        line.country = countries.get(name.casefold())
        line.email = User.objects.normalize_email(email).lower()
        if line.country is None:
            line.error = str(
                _("“%(name)s” is not a Member State's ISO code or name.") % {"name": name}
            )
            continue
        try:
            validate_email(line.email)
        except ValidationError:
            line.error = str(_("“%(email)s” is not an e-mail address.") % {"email": email})
    _repeats_mark(lines)
    _countries_with_officials_mark(lines)
    return lines


def _repeats_mark(lines: list[InvitationLine]) -> None:
    seen_emails: dict[str, int] = {}
    seen_countries: dict[int, int] = {}
    for line in lines:
        if line.error:
            continue
        if line.email in seen_emails:
            line.error = str(
                _("This address is already on line %(number)d.")
                % {"number": seen_emails[line.email]}
            )
        elif line.country.pk in seen_countries:
            line.error = str(
                _("%(country)s is already on line %(number)d: a country has one focal point.")
                % {"country": line.country.name, "number": seen_countries[line.country.pk]}
            )
        seen_emails.setdefault(line.email, line.number)
        seen_countries.setdefault(line.country.pk, line.number)


def _countries_with_officials_mark(lines: list[InvitationLine]) -> None:
    country_ids = {line.country.pk for line in lines if not line.error}
    staffed = set(
        User.objects.filter(country_id__in=country_ids, is_active=True, is_staff=False)
        .values_list("country_id", flat=True)
        .distinct()
    )
    for line in lines:
        if not line.error and line.country.pk in staffed:
            line.error = str(
                _(
                    "%(country)s already has an official account: invite from the country's"
                    " team instead."
                )
                % {"country": line.country.name}
            )


def focal_points_invite(*, text: str, invited_by: User) -> list[Invitation]:
    """Invite, as focal point, each address of the pasted list to its country: all or none.

    Side effects: those of invitation_create for every line (the e-mails leave on
    commit), all in one transaction. Raises InvitationListError, with every line and
    its error, when a line is wrong or an invitation cannot be made (the address has an
    account, a pending invitation to another country): then nothing is invited.
    """
    lines = invitation_lines_parse(text=text)
    if not lines:
        raise InvitationListError([])
    if any(line.error for line in lines):
        raise InvitationListError(lines)
    invitations: list[Invitation] = []
    failed = False
    with transaction.atomic():
        for line in lines:
            try:
                with transaction.atomic():
                    invitations.append(
                        invitation_create(
                            email=line.email,
                            country=line.country,
                            role=User.Role.FOCAL_POINT,
                            invited_by=invited_by,
                        )
                    )
            except InvitationError as error:
                line.error = str(error)
                failed = True
        if failed:
            # Rolls back (and so never e-mails) the invitations made for the good lines.
            transaction.set_rollback(True)
    if failed:
        raise InvitationListError(lines)
    return invitations
