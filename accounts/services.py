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
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import REVIEWERS_GROUP, Country, Invitation, User

# What reviewers may do in the admin: read everything, write only through the
# review actions (which are services recording events), never edit answers.
# Not add_user or change_user: an account's e-mail address and password are its
# credentials, and whoever may change them may sign in as its owner (the user
# admin lets reviewers change names and deactivate, accounts.admin.UserAdmin).
REVIEWER_PERMISSIONS = (
    ("accounts", "view_country"),
    ("accounts", "view_user"),
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
# Given to the group by earlier versions: taken away again after every migrate.
REVIEWER_PERMISSIONS_WITHDRAWN = (
    ("accounts", "add_user"),
    ("accounts", "change_user"),
    ("accounts", "delete_user"),
    ("auth", "change_group"),
    ("auth", "change_permission"),
)


def _permissions(pairs) -> QuerySet[Permission]:
    wanted = Q()
    for app_label, codename in pairs:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted)


def reviewers_group_ensure() -> Group:
    """The "Reviewers" group with its permissions, and none of the withdrawn ones; safe to
    call again (five queries).

    The review console itself admits reviewers by group membership
    (accounts.access.is_reviewer); these permissions are for the third-party
    admin pages that ask Django's permissions (axes' lockout logs). Run after
    every migrate (accounts.apps), so a deployment without demo accounts has
    them too.
    """
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    group.permissions.add(*_permissions(REVIEWER_PERMISSIONS))
    group.permissions.remove(*_permissions(REVIEWER_PERMISSIONS_WITHDRAWN))
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


def _admin_log_change(*, obj: User | Invitation | Country, by: User, message: str) -> None:
    """A line in the object's admin history, where reviewers look for who changed what."""
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message=message,
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
        _admin_log_change(obj=country, by=by, message=message)
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
    """Lift a lockout on the user's e-mail address, from every address: django-axes' and the
    e-mail address's wide limit (accounts.lockout).

    Side effects: deletes the failed-attempt records, returns how many; clears the
    e-mail address's failure count and block in the cache.
    """
    from axes.utils import reset

    from accounts.lockout import sign_in_account_unblock

    sign_in_account_unblock(email=user.email)
    return reset(username=user.email.lower())


class EmailChangeError(Exception):
    """An e-mail address change that cannot be made; the message is shown to the superuser."""


def _email_change_mail_send(*, old: str, new: str, changed_at) -> None:
    context = {
        "old": old,
        "new": new,
        "changed_at": changed_at,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    subject = render_to_string("accounts/email/email_changed_subject.txt", context).strip()
    body = render_to_string("accounts/email/email_changed_body.txt", context)
    # Two messages, not one with both in To: neither address learns the other from the headers
    # unless the body names it, and the old owner must hear of it even if the new one is a thief.
    for address in (old, new):
        send_mail(subject, body, None, [address])


def user_email_change(*, user: User, new_email: str, by: User) -> User:
    """Change the address `user` signs in with; only a superuser may.

    The e-mail address is a credential: the password-reset form sends its link
    there, so whoever changes it can take the account over. Hence the narrow
    permission, the record and the warning to the old address.
    Side effects: saves the new address (lower-cased); an admin LogEntry on the
    account records who changed it, when (the entry's time), the old and the new
    address; on commit, e-mails both addresses. Links of password resets asked
    for earlier stop working (Django's reset token covers the address).
    Raises EmailChangeError when `by` is not an active superuser or the address
    belongs to another account.
    """
    if not (by.is_active and by.is_superuser):
        raise EmailChangeError(_("Only a superuser may change an account's e-mail address."))
    new = User.objects.normalize_email(new_email).strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old = user.email
        if new == old:
            return user
        if User.objects.filter(email__iexact=new).exclude(pk=user.pk).exists():
            raise EmailChangeError(_("Another account already uses this e-mail address."))
        user.email = new
        user.save(update_fields=["email"])
        _admin_log_change(
            obj=user, by=by, message=f"E-mail address changed from {old} to {new} by {by.email}."
        )
        changed_at = timezone.now()
        transaction.on_commit(
            lambda: _email_change_mail_send(old=old, new=new, changed_at=changed_at)
        )
    return user
