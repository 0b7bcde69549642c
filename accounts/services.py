"""Writes about accounts: the reviewers' group, creating accounts, the admin history, e-mail
address changes and lifting a sign-in lockout. Invitations and handovers: accounts.invitations."""

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
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


def admin_log_change(*, obj: User | Invitation | Country, by: User, message: str) -> None:
    """A line in the object's admin history, where reviewers look for who changed what."""
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message=message,
    )


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
        admin_log_change(
            obj=user, by=by, message=f"E-mail address changed from {old} to {new} by {by.email}."
        )
        changed_at = timezone.now()
        transaction.on_commit(
            lambda: _email_change_mail_send(old=old, new=new, changed_at=changed_at)
        )
    return user
