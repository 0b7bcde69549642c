"""The team page: a country's officials and its pending invitations, which the focal point
may cancel. Inviting and handing over from this page: test_invitations.py."""

from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import invitation_token_hash
from accounts.models import Invitation
from tests.factories import InvitationFactory, ReviewerFactory


def _waiting_table(body: str) -> str:
    start = body.index('id="invitations-heading"')
    return body[start : body.index("</table>", start)]


def test_team_page_lists_pending_invitations_with_inviter_and_dates(
    client, focal_point, contributor, country_a, country_b
):
    by_focal_point = InvitationFactory(
        email="helper@gov.uz", country=country_a, created_by=focal_point
    )
    InvitationFactory(
        email="boss@gov.uz", country=country_a, role="focal_point", created_by=ReviewerFactory()
    )
    InvitationFactory(email="gone@gov.uz", country=country_a, replaced_at=timezone.now())
    InvitationFactory(email="late@gov.uz", country=country_a, expires_at=timezone.now())
    InvitationFactory(email="joined@gov.uz", country=country_a, used_at=timezone.now())
    InvitationFactory(email="dropped@gov.uz", country=country_a, cancelled_at=timezone.now())
    InvitationFactory(email="someone@gov.fr", country=country_b)
    for user in (focal_point, contributor):
        client.force_login(user)
        waiting = _waiting_table(client.get(reverse("accounts:team")).content.decode())
        assert "helper@gov.uz" in waiting and "boss@gov.uz" in waiting
        assert str(focal_point) in waiting  # invited by
        assert "DPIDG" in waiting  # a reviewer's invitation
        assert by_focal_point.expires_at.strftime("%-d %B %Y") in waiting
        assert by_focal_point.created_at.strftime("%-d %B %Y") in waiting
        for other in ("gone@", "late@", "joined@", "dropped@", "someone@gov.fr"):
            assert other not in waiting


def test_team_page_says_when_no_invitation_is_waiting(client, contributor):
    client.force_login(contributor)
    body = client.get(reverse("accounts:team")).content.decode()
    assert "No invitation is waiting." in body


def test_team_page_query_count_is_the_same_with_one_and_three_invitations(
    client, focal_point, country_a, django_assert_num_queries
):
    client.force_login(focal_point)
    InvitationFactory(country=country_a, created_by=ReviewerFactory())
    client.get(reverse("accounts:team"))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("accounts:team")).status_code == 200
    for _n in range(2):
        InvitationFactory(country=country_a, created_by=ReviewerFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(reverse("accounts:team")).status_code == 200


def test_focal_point_cancels_contributor_invitation(client, focal_point, country_a):
    invitation = InvitationFactory(
        email="oops@gov.uz",
        country=country_a,
        created_by=focal_point,
        token_hash=invitation_token_hash("oops-token"),
    )
    expires_at = invitation.expires_at
    client.force_login(focal_point)
    body = client.get(reverse("accounts:team")).content.decode()
    assert "Cancel the invitation to oops@gov.uz" in body
    response = client.post(
        reverse("accounts:team"), {"revoke-invitation": invitation.pk}, follow=True
    )
    assert response.redirect_chain == [(reverse("accounts:team"), 302)]
    body = response.content.decode()
    assert "The invitation to oops@gov.uz is cancelled" in body
    assert "oops@gov.uz" not in _waiting_table(body)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.CANCELLED
    assert invitation.cancelled_by == focal_point
    assert invitation.expires_at == expires_at  # not passed off as expired
    entry = LogEntry.objects.get(object_id=str(invitation.pk))
    assert entry.user == focal_point and "Cancelled" in entry.change_message

    # The invitee, minutes later, is told the truth.
    opened = Client().get(reverse("accounts:invitation_accept", args=["oops-token"]))
    assert opened.status_code == 410
    body = opened.content.decode()
    assert "This invitation was cancelled." in body
    assert "expired" not in body


def test_cancel_of_cancelled_invitation_says_so(client, focal_point, country_a):
    """Cancelled in another tab: the second click changes nothing and says why."""
    invitation = InvitationFactory(country=country_a)
    client.force_login(focal_point)
    for _click in range(2):
        response = client.post(
            reverse("accounts:team"), {"revoke-invitation": invitation.pk}, follow=True
        )
    assert "no longer waiting: it was accepted, cancelled" in response.content.decode()
    assert LogEntry.objects.filter(object_id=str(invitation.pk)).count() == 1


def test_focal_point_cannot_cancel_other_country_invitation(client, focal_point, country_b):
    invitation = InvitationFactory(country=country_b)
    client.force_login(focal_point)
    response = client.post(reverse("accounts:team"), {"revoke-invitation": invitation.pk})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert not LogEntry.objects.exists()


def test_focal_point_cannot_cancel_focal_point_invitation(client, focal_point, country_a):
    """Inviting a new focal point is DPIDG's decision; the current one may not undo it."""
    invitation = InvitationFactory(country=country_a, role="focal_point")
    client.force_login(focal_point)
    body = client.get(reverse("accounts:team")).content.decode()
    assert f"Cancel the invitation to {invitation.email}" not in body
    response = client.post(
        reverse("accounts:team"), {"revoke-invitation": invitation.pk}, follow=True
    )
    assert "Only DPIDG can cancel" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_contributor_cannot_cancel_invitation(client, contributor, country_a):
    invitation = InvitationFactory(country=country_a)
    client.force_login(contributor)
    assert "Cancel the invitation" not in client.get(reverse("accounts:team")).content.decode()
    response = client.post(reverse("accounts:team"), {"revoke-invitation": invitation.pk})
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_cancel_of_invitation_accepted_meanwhile_says_so(client, focal_point, country_a):
    invitation = InvitationFactory(country=country_a, used_at=timezone.now() - timedelta(minutes=1))
    client.force_login(focal_point)
    response = client.post(
        reverse("accounts:team"), {"revoke-invitation": invitation.pk}, follow=True
    )
    assert "no longer waiting" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.USED


def test_cancel_with_nonsense_id_is_404(client, focal_point):
    client.force_login(focal_point)
    for value in ("abc", "", "99999999999999999999"):
        response = client.post(reverse("accounts:team"), {"revoke-invitation": value})
        assert response.status_code == 404
