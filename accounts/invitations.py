"""Invitations to the portal and who leads a country's team: invite, resend, revoke, accept,
and hand the focal point's role over.

The questionnaire records a handover on the country's submission: it listens
to `focal_point_changed` (accounts.signals), so that accounts never imports it.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, Invitation, User
from accounts.services import admin_log_change
from accounts.signals import focal_point_changed


class InvitationError(Exception):
    """An invitation that cannot be made or accepted; the message is shown to the user."""


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_mail_send(*, invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_VALID_DAYS}
    # The invitee has no account (nor language) yet: the inviter's page language it is.
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


def _is_focal_point_for_contributors(user: User, country_id: int, role: str) -> bool:
    """A focal point invites and cancels contributors of their own country, nothing more:
    a new focal point is DPIDG's decision."""
    return user.is_focal_point and user.country_id == country_id and role == User.Role.CONTRIBUTOR


class InvitationUndeliverable(InvitationError):
    """The address cannot be invited as asked: it has an account, or another invitation
    stands in the way. The message is for DPIDG: a focal point is answered as if the
    invitation went out (whether an address has an account is not theirs to learn), and
    DPIDG is told instead (invitation_undeliverable_report)."""


class InvitationPendingElsewhere(InvitationUndeliverable):
    """The address has a pending invitation to another country.

    A reviewer may replace it (replace_other_country=True).
    """


def invitation_create(
    *,
    email: str,
    country: Country,
    role: str,
    invited_by: User,
    replace_other_country: bool = False,
) -> Invitation:
    """Invite `email` to join `country` as `role`, by e-mail with a single-use link.

    Reviewers may invite anyone for any country; a focal point only
    contributors for their own country.

    An earlier invitation of the address to the same country is replaced (its
    link stops working): that is how a lost or mistyped link is sent again. A
    pending invitation to another country is never replaced silently: a
    reviewer is told which and replaces it only with `replace_other_country`;
    a focal point never replaces it.

    Side effects: marks the replaced invitations replaced, creates the
    invitation (storing only the token's SHA-256), and on commit e-mails the
    link (SITE_URL + the token) to `email`. The mail is sent in-process rather
    than by a Celery task so that the token never travels through the broker.
    Raises InvitationError when the inviter may not invite for that country and
    role; InvitationUndeliverable when the address already has an account or a
    focal point would replace DPIDG's invitation of a new focal point, and
    InvitationPendingElsewhere as said above (messages meant for DPIDG).
    """
    from accounts.access import is_reviewer

    email = User.objects.normalize_email(email).strip().lower()
    if role not in User.Role.values:
        raise InvitationError(_("Choose a role."))
    reviewer = is_reviewer(invited_by)
    if not reviewer and not _is_focal_point_for_contributors(invited_by, country.id, role):
        raise InvitationError(_("You may only invite contributors for your own country."))
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationUndeliverable(_("An account with this e-mail address already exists."))

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # Locked so that an accept, a cancel or another invitation of these waits for this
        # one. Two first invitations of an address at the same instant find nothing to
        # lock and may both be made (only a database constraint could stop that).
        earlier = list(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("country", "created_by")
            # A cancelled invitation stays cancelled: it neither blocks nor is replaced.
            .filter(
                email=email,
                used_at__isnull=True,
                replaced_at__isnull=True,
                cancelled_at__isnull=True,
            )
        )
        replaced = [other.pk for other in earlier if other.country_id == country.id]
        for other in earlier:
            if other.state != Invitation.State.PENDING:
                continue
            if other.country_id != country.id:
                if not reviewer or not replace_other_country:
                    raise InvitationPendingElsewhere(
                        _(
                            "This address has a pending invitation to %(country)s, "
                            "sent by %(inviter)s."
                        )
                        % {
                            "country": other.country.name,
                            "inviter": other.created_by.email if other.created_by else "—",
                        }
                    )
                replaced.append(other.pk)
            elif not reviewer and other.role == User.Role.FOCAL_POINT:
                raise InvitationUndeliverable(
                    _(
                        "This address already has a pending invitation from DPIDG to become "
                        "your country's focal point."
                    )
                )
        Invitation.objects.filter(pk__in=replaced).update(replaced_at=now)
        invitation = Invitation.objects.create(
            email=email,
            country=country,
            role=role,
            token_hash=invitation_token_hash(token),
            created_by=invited_by,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        transaction.on_commit(lambda: _invitation_mail_send(invitation=invitation, token=token))
    return invitation


def invitation_resend(*, invitation: Invitation, invited_by: User) -> Invitation:
    """A fresh link for the same address, country and role; the old link stops working.

    Side effects: those of invitation_create.
    """
    return invitation_create(
        email=invitation.email,
        country=invitation.country,
        role=invitation.role,
        invited_by=invited_by,
    )


def contributor_invite(*, email: str, country: Country, invited_by: User) -> None:
    """A focal point invites a contributor; they are told nothing of what exists.

    Whether the address already has an account, or a pending invitation from
    another country or from DPIDG, is not the focal point's to learn: the answer
    is the same as when the invitation goes out, and DPIDG is told instead.
    Side effects: those of invitation_create, or of invitation_undeliverable_report.
    Raises InvitationError when `invited_by` may not invite for `country`.
    """
    try:
        invitation_create(
            email=email, country=country, role=User.Role.CONTRIBUTOR, invited_by=invited_by
        )
    except InvitationUndeliverable as error:
        invitation_undeliverable_report(
            email=email, country=country, by=invited_by, reason=str(error)
        )


def invitation_undeliverable_report(*, email: str, country: Country, by: User, reason: str) -> None:
    """Tell DPIDG that `by` asked to invite `email` to `country` and it was not sent.

    Side effects: an admin LogEntry in the country's history (the reviewers'
    record); on commit, an e-mail to settings.DPIDG_CONTACT_EMAIL when set.
    """
    email = User.objects.normalize_email(email).strip().lower()
    message = f"Invitation of {email} by {by.email} not sent: {reason}"
    with transaction.atomic():
        admin_log_change(obj=country, by=by, message=message)
        if settings.DPIDG_CONTACT_EMAIL:
            subject = f"MSQ Portal: invitation to {country.name} not sent"
            transaction.on_commit(
                lambda: send_mail(subject, message, None, [settings.DPIDG_CONTACT_EMAIL])
            )


def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Cancel a pending invitation: its link stops working at once.

    A reviewer may cancel any; a focal point the contributors' invitations to
    their own country (inviting a new focal point is DPIDG's decision).
    Side effects: marks the invitation cancelled (by `by`, now), so its link
    shows the cancelled page and a new invitation of the address is neither
    blocked by it nor replaces it; an admin LogEntry on the invitation records
    the cancellation in its history, where reviewers look.
    Raises InvitationError when `by` may not cancel it or it is no longer pending.
    """
    from accounts.access import is_reviewer

    if not is_reviewer(by) and not _is_focal_point_for_contributors(
        by, invitation.country_id, invitation.role
    ):
        raise InvitationError(_("Only DPIDG can cancel this invitation."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != Invitation.State.PENDING:
            raise InvitationError(
                _(
                    "The invitation to %(email)s is no longer waiting: it was accepted, "
                    "cancelled, replaced or has expired."
                )
                % {"email": invitation.email}
            )
        invitation.cancelled_at = timezone.now()
        invitation.cancelled_by = by
        invitation.save(update_fields=["cancelled_at", "cancelled_by"])
        admin_log_change(
            obj=invitation, by=by, message=f"Cancelled by {by.email}; the link no longer works."
        )
    return invitation


def invitation_accept(*, invitation: Invitation, password: str, full_name: str = "") -> User:
    """Create the invitee's account from a pending invitation.

    The caller has validated `password` with the password validators.
    Side effects: creates the user (country and role from the invitation),
    marks the invitation used; a new focal point takes over from the country's
    current one (see focal_point_handover).
    Raises InvitationError when the invitation is no longer pending or the
    address has an account by now.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != Invitation.State.PENDING:
            raise InvitationError(_("This invitation link can no longer be used."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(_("An account with this e-mail address already exists."))
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            country=invitation.country,
            role=User.Role.CONTRIBUTOR,
        )
        if invitation.role == User.Role.FOCAL_POINT:
            focal_point_handover(
                country=invitation.country,
                new_focal_point=user,
                by=invitation.created_by or user,
            )
        invitation.used_at = timezone.now()
        invitation.used_by = user
        invitation.save(update_fields=["used_at", "used_by"])
    return user


def focal_point_handover(*, country: Country, new_focal_point: User, by: User) -> User:
    """Make `new_focal_point` the country's focal point; former ones become contributors.

    Side effects: changes the roles; sends `focal_point_changed` in the same
    transaction (the questionnaire records a SubmissionEvent FOCAL_POINT_CHANGED
    on the country's submission to the current edition if it has one), and
    always an admin LogEntry on the new focal point's account (so the handover
    is on record before a submission exists).
    Raises InvitationError when the new focal point is not an active official
    of that country.
    """
    if (
        new_focal_point.country_id != country.id
        or new_focal_point.is_staff
        or not new_focal_point.is_active
    ):
        raise InvitationError(_("The new focal point must be an active official of the country."))
    with transaction.atomic():
        former = list(
            User.objects.select_for_update()
            .filter(country=country, role=User.Role.FOCAL_POINT)
            .exclude(pk=new_focal_point.pk)
        )
        User.objects.filter(pk__in=[user.pk for user in former]).update(role=User.Role.CONTRIBUTOR)
        new_focal_point.role = User.Role.FOCAL_POINT
        new_focal_point.save(update_fields=["role"])

        before = {"focal_points": [user.email for user in former]}
        after = {"focal_points": [new_focal_point.email]}
        message = f"Focal point of {country.name}: {new_focal_point.email}" + (
            f" (was {', '.join(before['focal_points'])})" if former else ""
        )
        focal_point_changed.send(
            sender=User, country=country, by=by, before=before, after=after, message=message
        )
        admin_log_change(obj=new_focal_point, by=by, message=message)
    return new_focal_point
