"""Accounts pages: invitations, the country team, two-factor set-up and check, keep-alive."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import two_factor
from accounts.access import official_country, staff_required
from accounts.forms import (
    ContributorInvitationForm,
    FocalPointHandoverForm,
    InvitationAcceptForm,
    InvitationForm,
    InvitationRevokeForm,
    TOTPTokenForm,
)
from accounts.invitations import (
    InvitationError,
    InvitationPendingElsewhere,
    contributor_invite,
    focal_point_handover,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from accounts.middleware import session_expiry_refresh
from accounts.models import Invitation, User
from accounts.selectors import (
    country_invitations_pending,
    country_team,
    invitation_for_token,
    invitations_recent,
)

SESSION_PENDING_DEVICE = "_msq_otp_pending_device"
# The token of the invitation link opened in this session, until the account is made.
SESSION_INVITATION_TOKEN = "_msq_invitation_token"  # noqa: S105 - a key, not a secret


def _safe_next(request, default: str = "questionnaire:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _invitation_unusable(request, invitation: Invitation | None, *, link_opened: bool = True):
    """Why an invitation cannot be used: 404 for an unknown link (or none opened in this
    session), 410 for an accepted, cancelled, replaced or expired one."""
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"invitation": invitation, "link_opened": link_opened},
        status=404 if invitation is None else 410,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token: str):
    """The link in the invitation e-mail: keeps its token in the session, sends on to the form.

    As Django's PasswordResetConfirmView does, so that the secret is not left in
    the address bar and history, in the Referer of the form page's requests, or
    in the access log of its POST. A POST here is redirected too, its fields
    ignored: the password is chosen on the form's page only.
    """
    invitation = invitation_for_token(token=token)
    if invitation is None or invitation.state != Invitation.State.PENDING:
        return _invitation_unusable(request, invitation)
    request.session[SESSION_INVITATION_TOKEN] = token
    return redirect("accounts:invitation_set_password")


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_set_password_view(request):
    """Choose a password for the invitation opened in this session, get signed in, see the
    overview.

    The page keeps the project's Referrer-Policy (same-origin): its address holds
    no secret, and with no-referrer browsers send the form with `Origin: null`,
    which Django's CSRF check refuses over HTTPS.
    """
    token = request.session.get(SESSION_INVITATION_TOKEN)
    if not token:
        # Typed in, bookmarked, or the session ended: only the e-mail link can help.
        return _invitation_unusable(request, None, link_opened=False)
    invitation = invitation_for_token(token=token)
    if invitation is None or invitation.state != Invitation.State.PENDING:
        # Accepted in another tab, replaced or expired since the link was opened.
        del request.session[SESSION_INVITATION_TOKEN]
        return _invitation_unusable(request, invitation)
    form = InvitationAcceptForm(
        User(email=invitation.email, country=invitation.country),
        request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["new_password1"],
                full_name=form.cleaned_data.get("full_name", ""),
            )
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            # Before login(), which keeps what an anonymous session holds.
            del request.session[SESSION_INVITATION_TOKEN]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome. Your account is ready."))
            return redirect("questionnaire:home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@require_http_methods(["GET", "POST"])
def team_view(request):
    """A country's officials and pending invitations; the focal point invites, cancels an
    invitation and hands over."""
    country = official_country(request.user)
    user = request.user
    invite_form = ContributorInvitationForm(prefix="invite")
    handover_form = FocalPointHandoverForm(prefix="handover", country=country, exclude=user)
    if request.method == "POST":
        if not user.is_focal_point:
            raise PermissionDenied
        if "invite-email" in request.POST:
            invite_form = ContributorInvitationForm(request.POST, prefix="invite")
            if invite_form.is_valid():
                email = invite_form.cleaned_data["email"]
                try:
                    contributor_invite(email=email, country=country, invited_by=user)
                except InvitationError as error:
                    invite_form.add_error("email", str(error))
                else:
                    # The same words whether or not the address could be invited.
                    messages.success(
                        request,
                        _(
                            "Invitation sent to %(email)s, unless that address cannot join "
                            "your country: DPIDG is then told, and will contact you."
                        )
                        % {"email": email.lower()},
                    )
                    return redirect("accounts:team")
        elif "revoke-invitation" in request.POST:
            revoke_form = InvitationRevokeForm(request.POST, prefix="revoke", country=country)
            if not revoke_form.is_valid():
                raise Http404  # no such invitation to this country
            invitation = revoke_form.cleaned_data["invitation"]
            try:
                invitation_revoke(invitation=invitation, by=user)
            except InvitationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("The invitation to %(email)s is cancelled: its link no longer works.")
                    % {"email": invitation.email},
                )
            return redirect("accounts:team")
        else:
            handover_form = FocalPointHandoverForm(
                request.POST, prefix="handover", country=country, exclude=user
            )
            if handover_form.is_valid():
                new = handover_form.cleaned_data["new_focal_point"]
                try:
                    focal_point_handover(country=country, new_focal_point=new, by=user)
                except InvitationError as error:
                    handover_form.add_error("new_focal_point", str(error))
                else:
                    messages.success(request, _("%(name)s is now the focal point.") % {"name": new})
                    return redirect("accounts:team")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/team.html",
        {
            "country": country,
            "team": country_team(country=country),
            "invitations": country_invitations_pending(country=country),
            "invite_form": invite_form,
            "handover_form": handover_form,
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_invite_view(request):
    """Reviewers invite an official for any country (also the admin's "Add invitation")."""
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                email=form.cleaned_data["email"],
                country=form.cleaned_data["country"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                replace_other_country=form.cleaned_data["replace_pending"],
            )
        except InvitationPendingElsewhere as error:
            form.pending_elsewhere(str(error))
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s for %(country)s.")
                % {"email": invitation.email, "country": invitation.country},
            )
            return redirect("accounts:staff_invite")
    return render(
        request,
        "accounts/staff_invite.html",
        {"form": form, "invitations": invitations_recent()},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def account_view(request):
    """The signed-in person's account: two-factor state, links to password and team."""
    return render(
        request,
        "accounts/account.html",
        {"device": two_factor.totp_device_confirmed(user=request.user)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup_view(request):
    """Scan a QR code, type the code: the device is confirmed and this session verified."""
    user = request.user
    if not user.is_verified() and two_factor.totp_device_confirmed(user=user):
        # Replacing a device needs the current one first, or a stolen password
        # alone would be enough to set up the thief's phone.
        return redirect("accounts:two_factor_verify")
    device = two_factor.totp_device_pending(
        user=user, device_id=request.session.get(SESSION_PENDING_DEVICE)
    )
    form = TOTPTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and device is not None and form.is_valid():
        if two_factor.totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.pop(SESSION_PENDING_DEVICE, None)
            request.session[two_factor.SESSION_HAS_DEVICE] = True
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not right. Check the clock of your phone."))
    if device is None:
        if request.method == "POST":
            form = TOTPTokenForm()
            messages.error(request, _("The set-up expired; scan this new code."))
        device = two_factor.totp_device_start(user=user)
        request.session[SESSION_PENDING_DEVICE] = device.id
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.totp_qr_svg(device=device),
            "secret_b32": _base32(device.bin_key),
            "required": user.is_staff and settings.OTP_REQUIRED_FOR_STAFF,
            "next": _safe_next(request, default=""),
        },
        status=400 if request.method == "POST" else 200,
    )


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request):
    """Type the current code of the confirmed device to finish signing in."""
    device = two_factor.totp_device_confirmed(user=request.user)
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = TOTPTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not right. Wait for the next one and try again."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, default="")},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def session_keepalive_view(request):
    """Called by idle-timeout.js when the official chooses to stay signed in.

    Other requests push the session expiry back at most once a minute
    (SessionIdleRefreshMiddleware); this one always does, and answers with the
    new idle allowance.
    """
    session_expiry_refresh(request=request, force=True)
    return JsonResponse({"idle_seconds": settings.SESSION_COOKIE_AGE})
