"""Writes about accounts: reviewers' group and demo accounts."""

from django.contrib.auth.models import Group, Permission

from accounts.models import REVIEWERS_GROUP, Country, User

# What reviewers may do in the admin: read everything, write only through the
# review actions (which are services recording events), never edit answers.
REVIEWER_PERMISSIONS = (
    ("accounts", "view_country"),
    ("accounts", "view_user"),
    ("accounts", "add_user"),
    ("accounts", "change_user"),
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
    """The "Reviewers" group with its permissions; safe to call again."""
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in REVIEWER_PERMISSIONS
        if Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
    ]
    group.permissions.add(*permissions)
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
