"""Writes about accounts: reviewers' group, demo accounts, invitations, focal-point handover."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import REVIEWERS_GROUP, Country, Invitation, User

# What reviewers may do in the admin: read everything, write only through the
# review actions (which are services recording events), never edit answers.
REVIEWER_PERMISSIONS = (
    ("accounts", "view_country"),
    ("accounts", "view_user"),
    ("accounts", "add_user"),
    ("accounts", "change_user"),
    ("accounts", "view_invitation"),
    ("accounts", "add_invitation"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accesslog"),
    ("questionnaire", "view_edition"),
    ("questionnaire", "view_section"),
    ("questionnaire", "view_question"),
    ("questionnaire", "view_submission"),
    ("questionnaire", "view_answer"),
    ("questionnaire", "view_submissionevent"),
    ("questionnaire", "view_reviewcomment"),
    ("questionnaire", "add_reviewcomment"),
)


def reviewers_group_ensure() -> Group:
    """The "Reviewers" group with its permissions; safe to call again (three queries).

    The review console itself admits reviewers by group membership
    (accounts.access.is_reviewer); these permissions are for the third-party
    admin pages that ask Django's permissions (axes' lockout logs). Run after
    every migrate (accounts.apps), so a deployment without demo accounts has
    them too.
    """
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    wanted = Q()
    for app_label, codename in REVIEWER_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group


def reviewer_create(*, email: str, password: str | None, full_name: str = "") -> User:
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, is_staff=True
    )
    user.groups.add(reviewers_group_ensure())
    return user


def official_create(
    *, email: str, password: str | None, country: Country, role: str, full_name: str = ""
) -> User:
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, country=country, role=role
    )


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


class InvitationPendingElsewhere(InvitationError):
    """The address has a pending invitation to another country.

    A reviewer may replace it (replace_other_country=True); the message says which
    country only to a reviewer.
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
    pending invitation to another country is never replaced silently: a focal
    point is refused without being told which country (the address is not
    theirs to take over), a reviewer is told which and replaces it only with
    `replace_other_country`.

    Side effects: marks the replaced invitations replaced, creates the
    invitation (storing only the token's SHA-256), and on commit e-mails the
    link (SITE_URL + the token) to `email`. The mail is sent in-process rather
    than by a Celery task so that the token never travels through the broker.
    Raises InvitationError when the address already has an account, the
    inviter may not invite for that country and role, or a focal point would
    replace DPIDG's invitation of a new focal point; InvitationPendingElsewhere
    as said above.
    """
    from accounts.access import is_reviewer

    email = User.objects.normalize_email(email).strip().lower()
    if role not in User.Role.values:
        raise InvitationError(_("Choose a role."))
    reviewer = is_reviewer(invited_by)
    if not reviewer and not _is_focal_point_for_contributors(invited_by, country.id, role):
        raise InvitationError(_("You may only invite contributors for your own country."))
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationError(_("An account with this e-mail address already exists."))

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
                if not reviewer:
                    raise InvitationPendingElsewhere(
                        _(
                            "This address already has a pending invitation to the portal. "
                            "Ask DPIDG if it should join your country instead."
                        )
                    )
                if not replace_other_country:
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
                raise InvitationError(
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


def _admin_log_change(*, obj: User | Invitation, by: User, message: str) -> None:
    """A line in the object's admin history, where reviewers look for who changed what."""
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message=message,
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
        _admin_log_change(
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

    Side effects: changes the roles; records a SubmissionEvent
    FOCAL_POINT_CHANGED on the country's submission to the current edition if
    it has one, and always an admin LogEntry on the new focal point's account
    (so the handover is on record before a submission exists).
    Raises InvitationError when the new focal point is not an active official
    of that country.
    """
    from questionnaire.models import Submission, SubmissionEvent

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
        submission = (
            Submission.objects.select_for_update()
            .filter(country=country, edition__code=settings.MSQ_CURRENT_EDITION)
            .first()
        )
        if submission is not None:
            SubmissionEvent.objects.create(
                submission=submission,
                kind=SubmissionEvent.Kind.FOCAL_POINT_CHANGED,
                actor=by,
                version=submission.version,
                before=before,
                after=after,
                message=message,
            )
        _admin_log_change(obj=new_focal_point, by=by, message=message)
    return new_focal_point


def sign_in_unlock(*, user: User) -> int:
    """Lift a django-axes lockout on the user's e-mail address, from every address.

    Side effects: deletes the failed-attempt records; returns how many.
    """
    from axes.utils import reset

    return reset(username=user.email.lower())
