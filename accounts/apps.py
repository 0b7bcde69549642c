from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reviewers_group_after_migrate(sender, **kwargs):
    # Permissions are created after each app's migrations, so the group is
    # brought up to date after every app's post_migrate, not only ours.
    from accounts.services import reviewers_group_ensure

    reviewers_group_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and countries")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        # Connects the sign-in hook that applies or stores the person's language.
        from accounts import languages  # noqa: F401
        from accounts.lockout import sign_in_failed_receiver

        post_migrate.connect(
            _reviewers_group_after_migrate, dispatch_uid="accounts.reviewers_group"
        )
        # Counts failures for the wide sign-in limits (accounts.lockout).
        user_login_failed.connect(sign_in_failed_receiver, dispatch_uid="accounts.sign_in_limits")
