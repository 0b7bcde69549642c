"""Two-factor sign-in with TOTP (django-otp): who must pass it, and setting a device up.

Staff must pass a TOTP check when settings.OTP_REQUIRED_FOR_STAFF is on
(production); anyone who has set up a device (officials may opt in) must pass
it at each sign-in.
"""

import segno
from django.conf import settings
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

# Cached in the session so that the common case (no device) costs no query per request.
SESSION_HAS_DEVICE = "_msq_otp_has_device"


def two_factor_required(*, user: User, session) -> bool:
    """Must this signed-in user pass a TOTP check before going further?"""
    if not user.is_authenticated or user.is_verified():
        return False
    if user.is_staff and settings.OTP_REQUIRED_FOR_STAFF:
        return True
    if SESSION_HAS_DEVICE not in session:
        session[SESSION_HAS_DEVICE] = user_has_device(user, confirmed=True)
    return bool(session[SESSION_HAS_DEVICE])


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the user to scan.

    Side effects: deletes the user's earlier unconfirmed devices (an abandoned
    set-up), creates one.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_pending(*, user: User, device_id: int | None) -> TOTPDevice | None:
    if not device_id:
        return None
    return TOTPDevice.objects.filter(user=user, id=device_id, confirmed=False).first()


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device if `token` is its current code.

    Side effects: on success marks the device confirmed and removes the user's
    other TOTP devices (one authenticator at a time).
    """
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(id=device.id).delete()
    return True


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image request, no inline style)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code"
    )
