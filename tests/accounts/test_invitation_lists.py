"""Inviting focal points from a pasted list: every line checked, all or nothing."""

import pytest
from django.core import mail

from accounts.invitation_lists import (
    InvitationListError,
    focal_points_invite,
    invitation_lines_parse,
)
from accounts.models import Country, Invitation, User
from tests.factories import OfficialFactory


def test_invitation_lines_parse_accepts_iso2_iso3_and_names(countries):
    lines = invitation_lines_parse(
        text="UZ, a@gov.uz\n\n  fra; B@Gouv.FR \nKazakhstan\tc@gov.kz\nRepublic of Fiji, d@gov.fj"
    )

    assert [(line.number, line.country.iso3, line.email, line.error) for line in lines] == [
        (1, "UZB", "a@gov.uz", ""),
        (3, "FRA", "b@gouv.fr", ""),
        (4, "KAZ", "c@gov.kz", ""),
        (5, "FJI", "d@gov.fj", ""),
    ]


def test_invitation_lines_parse_reports_each_bad_line(countries):
    OfficialFactory(country=Country.objects.get(iso3="DEU"))

    lines = invitation_lines_parse(
        text=(
            "UZ, a@gov.uz\n"
            "Atlantis, b@gov.at\n"
            "FR, not-an-address\n"
            "just some text\n"
            "KZ, a@gov.uz\n"
            "UZB, c@gov.uz\n"
            "DE, d@bund.de\n"
        )
    )

    errors = {line.number: line.error for line in lines}
    assert errors[1] == ""
    assert "“Atlantis” is not a Member State" in errors[2]
    assert "“not-an-address” is not an e-mail address" in errors[3]
    assert "a comma" in errors[4]
    assert "already on line 1" in errors[5]
    assert "Uzbekistan is already on line 1" in errors[6]
    assert "Germany already has an official account" in errors[7]


def test_focal_points_invite_good_list_invites_each(
    countries, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitations = focal_points_invite(text="UZ, a@gov.uz\nFJ, b@gov.fj\n", invited_by=reviewer)

    assert sorted((i.country.iso3, i.email, i.role) for i in invitations) == [
        ("FJI", "b@gov.fj", User.Role.FOCAL_POINT),
        ("UZB", "a@gov.uz", User.Role.FOCAL_POINT),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["a@gov.uz", "b@gov.fj"]


def test_focal_points_invite_one_bad_line_invites_nothing(
    countries, reviewer, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvitationListError) as refused,
    ):
        focal_points_invite(text="UZ, a@gov.uz\nXX, b@gov.fj\n", invited_by=reviewer)

    assert [line.error == "" for line in refused.value.lines] == [True, False]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_focal_points_invite_existing_account_invites_nothing(
    countries, reviewer, django_capture_on_commit_callbacks
):
    # The address belongs to someone already (another country's official): the invitation
    # mechanism refuses it, and the good line before it is rolled back too.
    OfficialFactory(country=Country.objects.get(iso3="DEU"), email="taken@gov.example.org")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvitationListError) as refused,
    ):
        focal_points_invite(text="UZ, a@gov.uz\nFJ, taken@gov.example.org\n", invited_by=reviewer)

    assert "already exists" in refused.value.lines[1].error
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_focal_points_invite_empty_text_refused(countries, reviewer):
    with pytest.raises(InvitationListError) as refused:
        focal_points_invite(text="\n  \n", invited_by=reviewer)

    assert refused.value.lines == []
