"""Send people who must pass a TOTP check to it before any other page."""

from urllib.parse import urlencode

from django.shortcuts import redirect

from accounts.two_factor import two_factor_required

# Pages reachable before the check: the check itself, and signing out.
EXEMPT_URL_NAMES = frozenset(
    {
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "logout",
        "healthz",
        "set_language",
    }
)


class TwoFactorRequiredMiddleware:
    """Staff (when settings.OTP_REQUIRED_FOR_STAFF) and anyone with a TOTP device
    must verify a code once per session. Placed after OTPMiddleware, which sets
    request.user.is_verified()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_URL_NAMES:
            return None
        if not two_factor_required(user=user, session=request.session):
            return None
        from accounts.two_factor import totp_device_confirmed

        target = (
            "accounts:two_factor_verify"
            if totp_device_confirmed(user=user)
            else "accounts:two_factor_setup"
        )
        response = redirect(target)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
