"""The admin site of the review console: its home organised for reviewers.

Django's admin lists models by app ("Accounts and countries", "Axes", "Otp_Totp"...).
Reviewers look for tasks instead, so the home page and the side navigation group
the models into Review, Accounts and Security. An app's own page
(/admin/<app_label>/) still lists that app's models.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

# (group key, name, app labels whose models go there unless listed elsewhere, model order).
# Models are named "app_label.model_name"; unlisted models of an app follow its group's list.
ADMIN_GROUPS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "review",
        _("Review"),
        ("questionnaire", "linkcheck"),
        (
            "questionnaire.submission",
            "questionnaire.reviewcomment",
            "questionnaire.submissionevent",
            "questionnaire.answer",
            "questionnaire.exportjob",
            "linkcheck.linkcheck",
            "questionnaire.edition",
            "questionnaire.section",
            "questionnaire.question",
        ),
    ),
    (
        "accounts",
        _("Accounts"),
        ("accounts", "api", "auth"),
        (
            "accounts.user",
            "accounts.country",
            "accounts.invitation",
            "api.apitoken",
            "auth.group",
        ),
    ),
    (
        "security",
        _("Security"),
        ("axes", "otp_totp", "django_otp"),
        ("axes.accessattempt", "axes.accessfailurelog", "axes.accesslog", "otp_totp.totpdevice"),
    ),
)


def _model_key(app_label: str, model: dict) -> str:
    return f"{app_label}.{model['object_name'].lower()}"


def app_list_grouped(app_list: list[dict]) -> list[dict]:
    """Django's app list regrouped into ADMIN_GROUPS, in their order; an app no group names
    keeps its own section, after them. Groups without a model the person may see are left out."""
    group_of_app = {app: key for key, _name, apps, _order in ADMIN_GROUPS for app in apps}
    grouped: dict[str, list[tuple[str, dict]]] = {key: [] for key, *_rest in ADMIN_GROUPS}
    others = []
    for app in app_list:
        key = group_of_app.get(app["app_label"])
        if key is None:
            others.append(app)
            continue
        grouped[key] += [(_model_key(app["app_label"], model), model) for model in app["models"]]
    sections = []
    for key, name, _apps, order in ADMIN_GROUPS:
        models = grouped[key]
        if not models:
            continue
        rank = {model_key: index for index, model_key in enumerate(order)}
        models.sort(key=lambda item: rank.get(item[0], len(order)))
        sections.append(
            {
                "name": name,
                "app_label": key,
                # A group has no page of its own: its caption is not a link (admin/app_list.html).
                "app_url": "",
                "has_module_perms": True,
                "models": [model for _key, model in models],
            }
        )
    return sections + others


class PortalAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        return app_list_grouped(app_list)
