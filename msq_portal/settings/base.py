"""The project's base: mode, secret key and hosts, applications, middleware, templates,
database, accounts, languages, files, forms, e-mail and logging."""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from msq_portal.storage import S3_BACKEND, s3_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Mode ------------------------------------------------------------------
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-in-production"  # noqa: S105 - refused in production
# Values copied from examples and templates instead of generated.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "secretkey", "secret-key", "xxx", "todo"}
)


def _secret_key_weakness(key: str) -> str | None:
    """Why `key` must not sign production sessions and reset links, or None if it may."""
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure"):
        return "is a development key"
    if key.strip().lower() in PLACEHOLDER_SECRET_KEYS or key.lower().startswith("change"):
        return "is a placeholder"
    if len(key) < 50:
        return f"has {len(key)} characters, fewer than 50"
    if len(set(key)) < 5:
        return "has fewer than 5 distinct characters"
    return None


if PRODUCTION:
    # No default: a production deployment must bring its own key and hosts. Whoever
    # knows the key forges sessions and password-reset links; DEBUG pages show settings
    # and answers; "*" lets any Host header build links and pass the host check.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    if weakness := _secret_key_weakness(SECRET_KEY):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY {weakness}: set a random one of 50 characters or more, e.g."
            " python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS or any(host.strip() in {"", "*"} for host in ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must name the portal's host names (e.g. msq.example.org),"
            " not '*' or nothing."
        )
    if DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is on with DJANGO_ENV=production: debug pages show settings and"
            " answers to anyone. Remove DJANGO_DEBUG or set it to false."
        )
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The address officials see in e-mails (invitation links, password resets).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Applications ----------------------------------------------------------
INSTALLED_APPS = [
    "msq_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "msq_portal.apps.PortalAxesConfig",
    "django_otp",
    "msq_portal.apps.PortalTotpConfig",
    "csp",
    # The read API's Swagger page is served from ninja's own static files, not a CDN.
    "ninja",
    "accounts",
    "questionnaire",
    "api",
    "linkcheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages and downloads hold answers: never kept by a browser or proxy cache.
    "msq_portal.middleware.NoStoreForSignedInMiddleware",
    # A signed-in person's chosen language (User.language) over the cookie and the browser.
    "accounts.middleware.UserLanguageMiddleware",
    # An official's time zone (User.time_zone, reported by their browser) for the times shown.
    "accounts.middleware.UserTimeZoneMiddleware",
    # request.user.is_verified(): has this session passed a TOTP check?
    "django_otp.middleware.OTPMiddleware",
    # The sliding idle timeout, without a session write on every request.
    "accounts.middleware.SessionIdleRefreshMiddleware",
    # Every page needs a signed-in user unless its view says otherwise.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Officials between editions (none open) get a page that says so (questionnaire.filling).
    "questionnaire.filling.no_edition.NoOpenEditionMiddleware",
    # Records every /api/ call with its token's owner (api.middleware).
    "api.middleware.ApiCallLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Staff without a verified TOTP device go to set-up / verify (accounts/two_factor.py).
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "msq_portal.urls"

# bench/bench_load.py only: a minimal audited save (a second ceiling) and each request's
# CPU and SQL statements in response headers (msq_portal.bench_views). Never set in
# production: without it the URL does not exist and the middleware is not installed.
MSQ_BENCH_MINIMAL_SAVE = not PRODUCTION and env.bool("MSQ_BENCH_MINIMAL_SAVE", default=False)
if MSQ_BENCH_MINIMAL_SAVE:
    MIDDLEWARE.insert(0, "msq_portal.bench_views.RequestCostMiddleware")
WSGI_APPLICATION = "msq_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.session_timeout",
                "accounts.context_processors.help_contact",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------
# sqlite:///db.sqlite3 beside manage.py unless DATABASE_URL names another engine;
# postgres:// URLs go through psycopg2.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes, then the wide limits (accounts.lockout): they refuse a locked-out
    # pair of user name and address, and a blocked address or e-mail address, before
    # any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.lockout.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "questionnaire:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # three days: officials read mail on ministry time

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "en"
# The six UN languages, all offered by default: every string is marked for translation,
# locale/ holds a catalogue per language (compiled to .mo by `manage.py
# compile_translations`, which `make install`, the Dockerfile and CI run), and the page
# turns right-to-left for Arabic. The language comes from the switcher in the header
# (Django's set_language: a cookie, and the signed-in user's `language`), else the
# browser's Accept-Language; anything unknown falls back to English.
UN_LANGUAGES = {
    "en": _("English"),
    "fr": _("French"),
    "es": _("Spanish"),
    "ru": _("Russian"),
    "ar": _("Arabic"),
    "zh-hans": _("Chinese"),
}
_offered = env.list("MSQ_LANGUAGES", default=list(UN_LANGUAGES))
if LANGUAGE_CODE not in _offered or set(_offered) - set(UN_LANGUAGES):
    raise ImproperlyConfigured(
        f"MSQ_LANGUAGES={','.join(_offered)!r}: list codes among {', '.join(UN_LANGUAGES)},"
        f" {LANGUAGE_CODE!r} included."
    )
LANGUAGES = [(code, UN_LANGUAGES[code]) for code in _offered]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
# Dates and numbers follow the active language (templates use |date:"DATE_FORMAT" and
# friends, never English month names); English as UN documents write it.
FORMAT_MODULE_PATH = ["msq_portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Rendered PDFs and exports are private: they are served through views that
# check access, never from MEDIA_URL. With STORAGE_URL (or AWS_STORAGE_BUCKET_NAME)
# they go to an S3-compatible bucket (msq_portal/storage.py), so that every web
# and worker host reads the same files; local MEDIA_ROOT is the embedded default.
_s3 = s3_options(url=env.str("STORAGE_URL", default=""), environ=os.environ)
STORAGES = {
    "default": (
        {"BACKEND": S3_BACKEND, "OPTIONS": _s3}
        if _s3
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Forms -----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# A section page posts 4 fields per link row; section I alone has 16 links
# questions of up to 100 rows each. Django's default of 1,000 fields would
# refuse a long but legitimate page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail ----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MSQ Portal <no-reply@msq.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO; its warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
