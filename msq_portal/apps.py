"""App configurations the portal sets itself: its admin site, and readable names for the
third-party apps whose models show in the admin (django-axes, django-otp's TOTP devices).

Their labels stay "axes" and "otp_totp": tables, migrations and permissions are unchanged.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpAppConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site (its home grouped for reviewers)."""

    default_site = "msq_portal.admin_site.PortalAdminSite"


class PortalAxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


class PortalTotpConfig(TotpAppConfig):
    verbose_name = _("Two-factor sign-in")
