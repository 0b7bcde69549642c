import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from accounts.models import Invitation, User
from accounts.views import SESSION_INVITATION_TOKEN
from questionnaire.models import Submission, SubmissionEvent
from tests.factories import InvitationFactory

NEW_PASSWORD = "Correct-horse-battery-42"
LINK = re.compile(r"(https?://\S+/accounts/invitation/(\S+)/)")


def _link_in(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def _invite(django_capture_on_commit_callbacks, **kwargs) -> tuple[Invitation, str]:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(**kwargs)
    return invitation, _link_in(mail.outbox[-1])[1]


def _invite_and_open(client, capture, *, email: str, country, invited_by) -> tuple[Invitation, str]:
    """A contributor's invitation whose e-mail link `client` has opened (token in its session)."""
    invitation, token = _invite(
        capture, email=email, country=country, role="contributor", invited_by=invited_by
    )
    client.get(reverse("accounts:invitation_accept", args=[token]))
    return invitation, token


def test_invitation_journey_from_staff_page_to_overview(
    client, reviewer, country_a, edition, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://msq.example.org"
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:staff_invite"),
            {"email": "New.Person@Gov.UZ", "country": country_a.pk, "role": "contributor"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@gov.uz"]
    assert "Uzbekistan" in message.subject
    link, token = _link_in(message)
    assert link.startswith("https://msq.example.org/accounts/invitation/")
    invitation = Invitation.objects.get()
    # Only a hash of the token is kept.
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64

    client.logout()
    # As a browser: the link, its redirect, the form, the form sent.
    page = client.get(reverse("accounts:invitation_accept", args=[token]), follow=True)
    assert page.status_code == 200
    assert "Uzbekistan" in page.content.decode()
    # The role in words, not its label mid-sentence.
    assert "as a contributor for <strong>Uzbekistan</strong>" in page.content.decode()
    response = client.post(
        page.request["PATH_INFO"],
        {"full_name": "Dilnoza K.", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    user = User.objects.get(email="new.person@gov.uz")
    assert response.context["user"] == user
    assert user.country == country_a and user.role == User.Role.CONTRIBUTOR
    assert user.check_password(NEW_PASSWORD)
    assert "Sections" in response.content.decode()  # the overview
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.USED and invitation.used_by == user


def test_invitation_link_used_twice_shows_clear_page(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    invitation, token = _invite(
        django_capture_on_commit_callbacks,
        email="a@gov.uz",
        country=country_a,
        role="contributor",
        invited_by=reviewer,
    )
    invitation_accept(invitation=invitation, password=NEW_PASSWORD)
    opened = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert opened.status_code == 410
    assert "already accepted" in opened.content.decode()
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {"new_password1": "Other-password-99", "new_password2": "Other-password-99"},
    )
    assert response.status_code == 410
    assert "already accepted" in response.content.decode()
    assert User.objects.get(email="a@gov.uz").check_password(NEW_PASSWORD)


def test_invitation_expired_shows_clear_page_and_creates_nothing(
    client, reviewer, country_a, django_capture_on_commit_callbacks, settings
):
    settings.INVITATION_VALID_DAYS = 7
    invitation, token = _invite(
        django_capture_on_commit_callbacks,
        email="late@gov.uz",
        country=country_a,
        role="contributor",
        invited_by=reviewer,
    )
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    opened = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert opened.status_code == 410
    assert "expired" in opened.content.decode()
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert SESSION_INVITATION_TOKEN not in client.session
    assert not User.objects.filter(email="late@gov.uz").exists()


def test_invitation_link_sends_to_form_whose_address_holds_no_token(
    reviewer, country_a, django_capture_on_commit_callbacks
):
    _invitation, token = _invite(
        django_capture_on_commit_callbacks,
        email="private@gov.uz",
        country=country_a,
        role="contributor",
        invited_by=reviewer,
    )
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("accounts:invitation_accept", args=[token]), follow=True)
    form_url = reverse("accounts:invitation_set_password")
    assert page.redirect_chain == [(form_url, 302)]
    assert page.request["PATH_INFO"] == form_url
    assert token not in form_url
    body = page.content.decode()
    assert "private@gov.uz" in body and "Create my account" in body
    assert token not in body
    # Same-origin: the (token-free) address never goes to another site either.
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-cache" in page["Cache-Control"]

    # The form as the page gives it: its action, its CSRF token.
    action = re.search(r'<form method="post" action="([^"]+)"', body).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert action == form_url
    response = browser.post(
        action,
        {
            "csrfmiddlewaretoken": csrf,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Welcome. Your account is ready." in response.content.decode()
    assert response.context["user"].email == "private@gov.uz"
    assert all(token not in url for url, _status in response.redirect_chain)


def test_invitation_set_password_without_link_opened_is_clear_page(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    _invite(
        django_capture_on_commit_callbacks,
        email="direct@gov.uz",
        country=country_a,
        role="contributor",
        invited_by=reviewer,
    )
    url = reverse("accounts:invitation_set_password")
    page = client.get(url)
    response = client.post(
        url,
        {"full_name": "Direct", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    for answer in (page, response):
        assert answer.status_code == 404
        assert "Open that link again" in answer.content.decode()
    assert not User.objects.filter(email="direct@gov.uz").exists()
    assert Invitation.objects.get().state == Invitation.State.PENDING


def test_invitation_token_leaves_session_after_acceptance(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    _invitation, token = _invite_and_open(
        client,
        django_capture_on_commit_callbacks,
        email="done@gov.uz",
        country=country_a,
        invited_by=reviewer,
    )
    assert client.session[SESSION_INVITATION_TOKEN] == token
    response = client.post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert SESSION_INVITATION_TOKEN not in client.session
    assert token not in str(dict(client.session))
    # Signed in now; the form's address has nothing left to offer.
    assert client.get(reverse("accounts:invitation_set_password")).status_code == 404


def test_invitation_expired_after_link_opened_shows_expired_page(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    invitation, _token = _invite_and_open(
        client,
        django_capture_on_commit_callbacks,
        email="slow@gov.uz",
        country=country_a,
        invited_by=reviewer,
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = client.post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="slow@gov.uz").exists()
    assert SESSION_INVITATION_TOKEN not in client.session


def test_invitation_cancelled_after_link_opened_shows_cancelled_page(
    client, focal_point, country_a, django_capture_on_commit_callbacks
):
    """QA: the invitee read "This invitation has expired" minutes after it was sent."""
    invitation, token = _invite_and_open(
        client,
        django_capture_on_commit_callbacks,
        email="dropped@gov.uz",
        country=country_a,
        invited_by=focal_point,
    )
    invitation_revoke(invitation=invitation, by=focal_point)
    response = client.post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    again = client.get(reverse("accounts:invitation_accept", args=[token]))
    for page in (response, again):
        assert page.status_code == 410
        body = page.content.decode()
        assert "This invitation was cancelled." in body
        assert "If you still need an account, ask DPIDG" in body
        assert "expired" not in body
    assert not User.objects.filter(email="dropped@gov.uz").exists()
    assert SESSION_INVITATION_TOKEN not in client.session


def test_reviewer_lists_show_cancelled_invitation_as_cancelled(
    client, reviewer, focal_point, country_a
):
    """QA: /accounts/invite/ and the admin said "Expired" for an invitation sent that day."""
    invitation = InvitationFactory(email="dropped@gov.uz", country=country_a)
    InvitationFactory(email="waiting@gov.uz", country=country_a)
    invitation_revoke(invitation=invitation, by=focal_point)
    client.force_login(reviewer)
    body = client.get(reverse("accounts:staff_invite")).content.decode()
    row = body[body.index("dropped@gov.uz") :].split("</tr>", 1)[0]
    assert "<td>Cancelled</td>" in row and "Expired" not in row
    changelist = reverse("admin:accounts_invitation_changelist")
    admin_page = client.get(changelist).content.decode()
    row = admin_page[admin_page.index("dropped@gov.uz") :].split("</tr>", 1)[0]
    assert "Cancelled" in row and "Expired" not in row
    filtered = client.get(changelist, {"state": "cancelled"}).content.decode()
    assert "dropped@gov.uz" in filtered and "waiting@gov.uz" not in filtered
    filtered = client.get(changelist, {"state": "pending"}).content.decode()
    assert "waiting@gov.uz" in filtered and "dropped@gov.uz" not in filtered


def test_invitation_accepted_in_other_tab_shows_used_page(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    invitation, _token = _invite_and_open(
        client,
        django_capture_on_commit_callbacks,
        email="tabs@gov.uz",
        country=country_a,
        invited_by=reviewer,
    )
    invitation_accept(invitation=invitation, password=NEW_PASSWORD)
    response = client.get(reverse("accounts:invitation_set_password"))
    assert response.status_code == 410
    assert "already accepted" in response.content.decode()
    assert SESSION_INVITATION_TOKEN not in client.session


def test_invitation_unknown_token_is_404_page(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["nonsense"]))
    assert response.status_code == 404
    assert "not known" in response.content.decode()


def test_reinvite_replaces_the_old_link(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    kwargs = {"email": "twice@gov.uz", "country": country_a, "role": "contributor"}
    first, old_token = _invite(django_capture_on_commit_callbacks, invited_by=reviewer, **kwargs)
    _second, new_token = _invite(django_capture_on_commit_callbacks, invited_by=reviewer, **kwargs)
    first.refresh_from_db()
    assert first.state == Invitation.State.REPLACED
    old = client.get(reverse("accounts:invitation_accept", args=[old_token]))
    assert old.status_code == 410
    assert "newer invitation" in old.content.decode()
    new = client.get(reverse("accounts:invitation_accept", args=[new_token]), follow=True)
    assert new.status_code == 200
    assert "Create my account" in new.content.decode()


def test_invitation_weak_password_refused_with_message(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    _invitation, _token = _invite_and_open(
        client,
        django_capture_on_commit_callbacks,
        email="weak@gov.uz",
        country=country_a,
        invited_by=reviewer,
    )
    response = client.post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode() or "too common" in response.content.decode()
    assert not User.objects.filter(email="weak@gov.uz").exists()


def test_invitation_for_existing_account_refused(reviewer, focal_point, country_a):
    with pytest.raises(InvitationError):
        invitation_create(
            email=focal_point.email.upper(),
            country=country_a,
            role="contributor",
            invited_by=reviewer,
        )


def test_focal_point_invites_contributor_from_team_page(
    client, focal_point, django_capture_on_commit_callbacks
):
    client.force_login(focal_point)
    assert reverse("accounts:team") in client.get(reverse("accounts:account")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:team"), {"invite-email": "helper@gov.uz"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.country == focal_point.country
    assert invitation.role == User.Role.CONTRIBUTOR
    assert mail.outbox[0].to == ["helper@gov.uz"]


def test_contributor_cannot_invite(client, contributor):
    client.force_login(contributor)
    response = client.post(reverse("accounts:team"), {"invite-email": "helper@gov.uz"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_focal_point_cannot_invite_for_another_country_or_as_focal_point(focal_point, country_b):
    with pytest.raises(InvitationError):
        invitation_create(
            email="x@gov.fr", country=country_b, role="contributor", invited_by=focal_point
        )
    with pytest.raises(InvitationError):
        invitation_create(
            email="x@gov.uz",
            country=focal_point.country,
            role="focal_point",
            invited_by=focal_point,
        )
    assert not Invitation.objects.exists()


def test_official_cannot_open_staff_invite_page(client, focal_point):
    client.force_login(focal_point)
    assert client.get(reverse("accounts:staff_invite")).status_code == 403


def test_new_focal_point_by_invitation_takes_over_and_is_recorded(
    reviewer, focal_point, country_a, edition, django_capture_on_commit_callbacks
):
    submission = Submission.objects.create(edition=edition, country=country_a)
    invitation, _token = _invite(
        django_capture_on_commit_callbacks,
        email="boss@gov.uz",
        country=country_a,
        role="focal_point",
        invited_by=reviewer,
    )
    new = invitation_accept(invitation=invitation, password=NEW_PASSWORD)
    focal_point.refresh_from_db()
    assert new.role == User.Role.FOCAL_POINT
    assert focal_point.role == User.Role.CONTRIBUTOR
    event = SubmissionEvent.objects.get(
        submission=submission, kind=SubmissionEvent.Kind.FOCAL_POINT_CHANGED
    )
    assert event.before == {"focal_points": [focal_point.email]}
    assert event.after == {"focal_points": ["boss@gov.uz"]}
    assert event.actor == reviewer


def test_focal_point_hands_over_to_contributor_on_team_page(
    client, focal_point, contributor, edition, country_a
):
    submission = Submission.objects.create(edition=edition, country=country_a)
    client.force_login(focal_point)
    response = client.post(reverse("accounts:team"), {"handover-new_focal_point": contributor.pk})
    assert response.status_code == 302
    focal_point.refresh_from_db()
    contributor.refresh_from_db()
    assert contributor.role == User.Role.FOCAL_POINT
    assert focal_point.role == User.Role.CONTRIBUTOR
    assert submission.events.filter(kind=SubmissionEvent.Kind.FOCAL_POINT_CHANGED).count() == 1


def test_handover_to_other_country_official_refused(client, focal_point, outsider):
    client.force_login(focal_point)
    response = client.post(reverse("accounts:team"), {"handover-new_focal_point": outsider.pk})
    assert response.status_code == 400
    outsider.refresh_from_db()
    focal_point.refresh_from_db()
    assert focal_point.role == User.Role.FOCAL_POINT
    assert outsider.country != focal_point.country


def test_handover_without_submission_recorded_in_admin_log(focal_point, contributor, country_a):
    from django.contrib.admin.models import LogEntry

    from accounts.invitations import focal_point_handover

    focal_point_handover(country=country_a, new_focal_point=contributor, by=focal_point)
    entry = LogEntry.objects.get(object_id=str(contributor.pk))
    assert focal_point.email in entry.change_message


def test_team_page_lists_only_own_country(client, focal_point, outsider):
    client.force_login(focal_point)
    body = client.get(reverse("accounts:team")).content.decode()
    assert focal_point.email in body
    assert outsider.email not in body


def test_admin_add_invitation_opens_invite_page_and_resend_action(
    client, reviewer, country_a, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    response = client.get(reverse("admin:accounts_invitation_add"))
    assert response["Location"] == reverse("accounts:staff_invite")
    invitation = InvitationFactory(country=country_a, created_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_invitation_changelist"),
            {"action": "send_new_link", "_selected_action": [invitation.pk]},
        )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REPLACED
    assert mail.outbox[-1].to == [invitation.email]
    assert Invitation.objects.count() == 2


def test_invitation_admin_escapes_email(client, reviewer, country_a):
    InvitationFactory(country=country_a, email="x<script>@gov.uz")
    client.force_login(reviewer)
    body = client.get(reverse("admin:accounts_invitation_changelist")).content.decode()
    assert "x<script>@" not in body
    assert "x&lt;script&gt;@" in body


# --- An address invited for one country, then for another ------------------------------


def _invited_by_focal_point(capture, focal_point, email: str) -> tuple[Invitation, str]:
    return _invite(
        capture,
        email=email,
        country=focal_point.country,
        role="contributor",
        invited_by=focal_point,
    )


def _team_invite(client, capture, email: str):
    with capture(execute=True):
        return client.post(reverse("accounts:team"), {"invite-email": email}, follow=True)


def _team_message(response) -> str:
    return next(str(message) for message in response.context["messages"])


def test_focal_point_invitation_not_sent_when_other_country_invitation_pending(
    client, focal_point, outsider, django_capture_on_commit_callbacks, settings
):
    """QA: Uzbekistan invites an address, then France does: Uzbekistan's link kept working.

    Changed by issue 10: France is no longer told that the address has a pending
    invitation (nor asked to "Ask DPIDG"): it reads what any invitation says,
    and DPIDG is told instead."""
    settings.DPIDG_CONTACT_EMAIL = "dpidg@un.example.org"
    first, token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, focal_point, "new.person@gov.uz"
    )
    client.force_login(outsider)
    response = _team_invite(client, django_capture_on_commit_callbacks, "New.Person@gov.uz")
    assert response.status_code == 200
    body = response.content.decode()
    assert "pending invitation" not in body
    assert focal_point.country.name not in body  # which country invited it is not told
    assert Invitation.objects.get() == first
    assert first.state == Invitation.State.PENDING
    # The invitee got Uzbekistan's e-mail only; DPIDG got the report.
    assert [message.to for message in mail.outbox] == [
        ["new.person@gov.uz"],
        ["dpidg@un.example.org"],
    ]
    report = mail.outbox[1].body
    assert "new.person@gov.uz" in report and outsider.email in report
    assert "pending invitation to Uzbekistan" in report
    opened = Client().get(reverse("accounts:invitation_accept", args=[token]), follow=True)
    assert "Create my account" in opened.content.decode()


@pytest.mark.parametrize("case", ["new", "account_here", "account_elsewhere", "staff", "pending"])
def test_team_invite_answers_alike_whatever_exists(
    client, focal_point, outsider, reviewer, django_capture_on_commit_callbacks, case
):
    """No answer of the team page tells a focal point that an account or an invitation exists."""
    from tests.factories import OfficialFactory

    emails = {
        "new": "brand.new@gov.uz",
        "account_here": OfficialFactory(country=focal_point.country, role="contributor").email,
        "account_elsewhere": outsider.email,
        "staff": reviewer.email,
        "pending": "pending.elsewhere@gov.fr",
    }
    if case == "pending":
        _invite(
            django_capture_on_commit_callbacks,
            email=emails["pending"],
            country=outsider.country,
            role="contributor",
            invited_by=outsider,
        )
    client.force_login(focal_point)
    response = _team_invite(client, django_capture_on_commit_callbacks, emails[case])
    assert response.redirect_chain == [(reverse("accounts:team"), 302)]
    assert _team_message(response) == (
        f"Invitation sent to {emails[case]}, unless that address cannot join your country: "
        "DPIDG is then told, and will contact you."
    )
    body = response.content.decode()
    for word in ("already", "exists", "pending invitation", outsider.country.name):
        assert word not in body, word


def test_team_invite_not_sent_is_in_the_country_history_for_dpidg(
    client, focal_point, outsider, django_capture_on_commit_callbacks, settings
):
    from django.contrib.admin.models import LogEntry

    settings.DPIDG_CONTACT_EMAIL = ""  # no contact set: the history is the record
    client.force_login(focal_point)
    _team_invite(client, django_capture_on_commit_callbacks, outsider.email)
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    entry = LogEntry.objects.get(object_id=str(focal_point.country_id))
    assert entry.user == focal_point
    assert outsider.email in entry.change_message
    assert "An account with this e-mail address already exists" in entry.change_message


def test_focal_point_reinvite_for_own_country_replaces_the_old_link(
    client, focal_point, django_capture_on_commit_callbacks
):
    client.force_login(focal_point)
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:team"), {"invite-email": "again@gov.uz"})
        assert response.status_code == 302
    old, new = Invitation.objects.order_by("created_at", "id")
    assert old.state == Invitation.State.REPLACED
    assert new.state == Invitation.State.PENDING


def test_other_country_expired_or_used_invitation_does_not_block(
    focal_point, country_b, django_capture_on_commit_callbacks
):
    expired = InvitationFactory(
        email="free@gov.uz", country=country_b, expires_at=timezone.now() - timedelta(days=1)
    )
    invitation, _token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, focal_point, "free@gov.uz"
    )
    assert invitation.state == Invitation.State.PENDING
    expired.refresh_from_db()
    assert expired.state == Invitation.State.EXPIRED  # left as it was, not "replaced"


def test_other_country_cancelled_invitation_does_not_block(
    focal_point, outsider, django_capture_on_commit_callbacks
):
    cancelled, _old_token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, outsider, "free@gov.uz"
    )
    invitation_revoke(invitation=cancelled, by=outsider)
    invitation, _token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, focal_point, "free@gov.uz"
    )
    assert invitation.country == focal_point.country
    assert invitation.state == Invitation.State.PENDING
    cancelled.refresh_from_db()
    assert cancelled.state == Invitation.State.CANCELLED  # left as it was, not "replaced"
    assert mail.outbox[-1].to == ["free@gov.uz"]


def test_reinvite_after_cancel_sends_new_link_and_old_one_stays_cancelled(
    client, focal_point, django_capture_on_commit_callbacks
):
    cancelled, old_token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, focal_point, "again@gov.uz"
    )
    invitation_revoke(invitation=cancelled, by=focal_point)
    _invitation, new_token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, focal_point, "again@gov.uz"
    )
    cancelled.refresh_from_db()
    assert cancelled.state == Invitation.State.CANCELLED
    old = client.get(reverse("accounts:invitation_accept", args=[old_token]))
    assert old.status_code == 410 and "was cancelled" in old.content.decode()
    new = client.get(reverse("accounts:invitation_accept", args=[new_token]), follow=True)
    assert "Create my account" in new.content.decode()


def test_focal_point_cannot_replace_pending_focal_point_invitation_of_own_country(
    focal_point, reviewer, django_capture_on_commit_callbacks
):
    """The outgoing focal point must not turn DPIDG's invitation of their successor into a
    contributor's."""
    successor, _token = _invite(
        django_capture_on_commit_callbacks,
        email="successor@gov.uz",
        country=focal_point.country,
        role="focal_point",
        invited_by=reviewer,
    )
    with pytest.raises(InvitationError):
        invitation_create(
            email="successor@gov.uz",
            country=focal_point.country,
            role="contributor",
            invited_by=focal_point,
        )
    successor.refresh_from_db()
    assert successor.state == Invitation.State.PENDING
    assert Invitation.objects.count() == 1


def test_reviewer_replaces_other_country_invitation_only_when_ticked(
    client, reviewer, focal_point, country_b, django_capture_on_commit_callbacks
):
    first, old_token = _invited_by_focal_point(
        django_capture_on_commit_callbacks, focal_point, "both@gov.uz"
    )
    client.force_login(reviewer)
    data = {"email": "both@gov.uz", "country": country_b.pk, "role": "contributor"}
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("accounts:staff_invite"), data)
    assert refused.status_code == 400
    body = refused.content.decode()
    # The reviewer is told which country, and by whom, and how to go ahead.
    assert "pending invitation to Uzbekistan" in body
    assert focal_point.email in body
    assert "Tick this box" in body
    assert Invitation.objects.get() == first and first.state == Invitation.State.PENDING
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("accounts:staff_invite"), {**data, "replace_pending": "on"})
    assert sent.status_code == 302
    first.refresh_from_db()
    assert first.state == Invitation.State.REPLACED
    new = Invitation.objects.exclude(pk=first.pk).get()
    assert new.country == country_b and new.state == Invitation.State.PENDING
    assert mail.outbox[-1].to == ["both@gov.uz"]
    old = client.get(reverse("accounts:invitation_accept", args=[old_token]))
    assert old.status_code == 410


def test_admin_new_link_refused_when_other_country_invitation_pending(
    client, reviewer, country_a, country_b, django_capture_on_commit_callbacks
):
    old = InvitationFactory(
        email="moved@gov.uz", country=country_a, replaced_at=timezone.now(), created_by=reviewer
    )
    pending = InvitationFactory(email="moved@gov.uz", country=country_b, created_by=reviewer)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_invitation_changelist"),
            {"action": "send_new_link", "_selected_action": [old.pk]},
            follow=True,
        )
    assert "pending invitation to France" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == Invitation.State.PENDING
    assert Invitation.objects.count() == 2
    assert not mail.outbox
