"""Cookies, headers and the Content-Security-Policy; sign-in limits and two-factor;
invitations and the contact addresses."""

from msq_portal.settings.base import PRODUCTION, env

# --- Security --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# An idle timeout rather than a fixed lifetime: signed-in requests push the expiry
# back, so a session ends after this many seconds without activity. Pages warn
# IDLE_WARNING_SECONDS before (static/js/idle-timeout.js); drafts autosave anyway.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60)
# Not saved on every request (an UPDATE and a commit each time, the largest cost of
# a signed-in request under load): accounts.middleware.SessionIdleRefreshMiddleware
# pushes the expiry back at most once per SESSION_REFRESH_SECONDS, so a session ends
# up to that much before SESSION_COOKIE_AGE of inactivity. Keep it well below
# IDLE_WARNING_SECONDS, so that the warning still comes before the end.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
IDLE_WARNING_SECONDS = env.int("IDLE_WARNING_SECONDS", default=5 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp 4): everything from the portal itself, no
# inline scripts or styles anywhere. The Django 5.2 admin needs no exception:
# its templates carry no inline <script> bodies or style="" attributes (its JS
# sets styles through the CSSOM, which style-src does not govern);
# tests/accounts/test_security_headers.py opens admin pages to keep it so.
# img-src allows data: for the admin's and Bootstrap's SVG icons in CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Sign-in protection (django-axes) and two-factor (django-otp) ------------
# Lock a user name out from one address after AXES_FAILURE_LIMIT failures,
# for AXES_COOLOFF_TIME hours; reviewers unlock from the user admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# E-mail addresses sign in in any case: count FOCAL@x and focal@x as one name.
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
# Behind a reverse proxy, the number of proxies in front (client address from X-Forwarded-For).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Wider limits than django-axes' pair (accounts.lockout), in the shared cache: failed
# sign-ins from one network address with any e-mail addresses (guessing across
# accounts), and with one e-mail address from any network addresses (a lockout dodged
# by changing address). Each blocks for the window once reached. The account limit is
# above AXES_FAILURE_LIMIT so that someone who knows an official's address cannot
# block them everywhere with a handful of tries; the reviewers' unlock lifts it.
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env.int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", default=10)
SIGN_IN_LIMIT_WINDOW_SECONDS = env.int("SIGN_IN_LIMIT_WINDOW_SECONDS", default=60 * 60)
# Password-reset e-mails per network address and per e-mail address in the window;
# requests beyond get the same page and no e-mail.
PASSWORD_RESET_ADDRESS_LIMIT = env.int("PASSWORD_RESET_ADDRESS_LIMIT", default=5)
PASSWORD_RESET_ACCOUNT_LIMIT = env.int("PASSWORD_RESET_ACCOUNT_LIMIT", default=3)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=60 * 60)

# Staff must pass a TOTP check before any staff page in production; officials
# may opt in from their account page.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=PRODUCTION)
OTP_TOTP_ISSUER = "MSQ Portal"

# --- Invitations -------------------------------------------------------------
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# Where the portal tells DPIDG what officials must not be told (an address a focal
# point invited that already has an account, or another invitation); also in the
# country's admin history. Empty: the history only.
DPIDG_CONTACT_EMAIL = env.str("DPIDG_CONTACT_EMAIL", default="")
# The address officials and visitors write to for help (every page's footer, the sign-in
# page, the accessibility statement and privacy notice): public, unlike DPIDG_CONTACT_EMAIL.
MSQ_HELP_EMAIL = env.str("MSQ_HELP_EMAIL", default="dpidg@un.org")
