"""Settings for MSQ Portal, read from the environment.

With no environment at all the portal runs on its embedded default: a SQLite
file beside manage.py, Celery tasks executed in-process, e-mail printed to the
console. Setting DATABASE_URL and CELERY_BROKER_URL (or REDIS_URL) moves it to
PostgreSQL and Redis with separate worker processes. DJANGO_ENV=production
turns on every protection that `manage.py check --deploy` asks for and refuses
to start without a real secret key and allowed hosts.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from msq_portal.storage import S3_BACKEND, s3_options

BASE_DIR = Path(__file__).resolve().parent.parent

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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
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
    # request.user.is_verified(): has this session passed a TOTP check?
    "django_otp.middleware.OTPMiddleware",
    # The sliding idle timeout, without a session write on every request.
    "accounts.middleware.SessionIdleRefreshMiddleware",
    # Every page needs a signed-in user unless its view says otherwise.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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

# --- Celery ----------------------------------------------------------------
# Without a broker URL tasks run in-process (eager) so the portal starts on any
# machine; with one, separate worker processes take them from Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged only once it has finished, and given back to the queue
# when its worker dies, so a crash or a deploy never loses a PDF or an export.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
# Redis hands an unacknowledged task to another worker after this many
# seconds; it must exceed the hard time limit or a long task runs twice.
#
# A broker that does not answer (stopped, SIGSTOPped, a network partition) must not
# hang a request: every socket has a timeout, and a publish is retried once, so a
# queueing attempt gives up after a few seconds. What was not sent stays in the
# outbox (questionnaire.queueing) for the sweeper below.
CELERY_BROKER_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    # Checks a pooled connection that sat idle before using it, rather than finding out mid-send.
    "health_check_interval": 25,
}
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# The same bounds for a Redis result backend, should one be configured.
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "msq"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {
    # Renders submitted versions still without a PDF (a task lost to a broker
    # outage at submit time, a failed worker): nothing submitted stays unprinted.
    "render-missing-pdfs": {
        "task": "questionnaire.tasks.task_render_missing_pdfs",
        "schedule": env.int("MSQ_PDF_SWEEP_SECONDS", default=300),
    },
    # Sends the tasks that were queued while the broker was down or hung (the outbox,
    # questionnaire.queueing): export jobs, reviewers' e-mails.
    "send-pending-tasks": {
        "task": "questionnaire.tasks.task_send_pending_tasks",
        "schedule": env.int("MSQ_OUTBOX_SWEEP_SECONDS", default=30),
    },
    # Queues again (or fails) the export jobs whose worker stopped: a job whose
    # heartbeat is older than MSQ_EXPORT_LEASE_SECONDS.
    "recover-export-jobs": {
        "task": "questionnaire.tasks.task_recover_export_jobs",
        "schedule": env.int("MSQ_EXPORT_SWEEP_SECONDS", default=30),
    },
    # Deletes export files older than MSQ_EXPORT_RETENTION_DAYS. A crontab, not an
    # interval: beat's schedule file lives in /tmp, and an interval restarts from
    # zero with every restart, so a deploy a day would keep it from ever running.
    "expire-export-files": {
        "task": "questionnaire.tasks.task_expire_export_files",
        "schedule": crontab(hour=3, minute=15),
    },
    # Checks again every link of the open editions' submissions (those not checked
    # within LINKCHECK_CACHE_HOURS): a site that went down since is caught.
    "check-links-nightly": {
        "task": "linkcheck.tasks.task_check_open_editions_links",
        "schedule": crontab(hour=2, minute=30),
    },
}
# WeasyPrint runs under this soft time limit; past it the failure is recorded
# on the submission for staff (Submission.pdf_error and a PDF_FAILED event).
MSQ_PDF_SOFT_TIME_LIMIT = env.int("MSQ_PDF_SOFT_TIME_LIMIT", default=120)
# A queued render of a submitted version keeps others from queueing it again this
# long: past the task's hard time limit, so that a running render is never doubled;
# one lost with its worker is queued again by the sweeper once it expires.
MSQ_PDF_LEASE_SECONDS = env.int("MSQ_PDF_LEASE_SECONDS", default=MSQ_PDF_SOFT_TIME_LIMIT + 90)
# The sweeper leaves a version submitted this recently to the task its submit queued.
MSQ_PDF_SWEEP_GRACE_SECONDS = env.int("MSQ_PDF_SWEEP_GRACE_SECONDS", default=120)
# Full exports hold every country's answers (and PDFs): their files are deleted
# this many days after they are ready; the job row stays as the record of who
# exported what, when (questionnaire.exports.jobs.export_files_expire).
MSQ_EXPORT_RETENTION_DAYS = env.int("MSQ_EXPORT_RETENTION_DAYS", default=7)
# A running export writes a heartbeat as it progresses (at least once a second
# while it works through submissions); without one for this long its worker is
# taken for dead and the job is run again, up to MSQ_EXPORT_MAX_ATTEMPTS runs,
# then failed with a message. Redis would redeliver the message only after the
# visibility timeout (an hour).
MSQ_EXPORT_LEASE_SECONDS = env.int("MSQ_EXPORT_LEASE_SECONDS", default=60)
MSQ_EXPORT_MAX_ATTEMPTS = env.int("MSQ_EXPORT_MAX_ATTEMPTS", default=3)
# How many unsent tasks the outbox sweeper sends per run.
MSQ_PENDING_TASKS_BATCH = env.int("MSQ_PENDING_TASKS_BATCH", default=500)

# --- Health probe ------------------------------------------------------------
# /healthz answers {"status": "ok"} (or 503) to anyone; the database's and the
# broker's states only to staff or to a request carrying
# "Authorization: Bearer <HEALTHZ_TOKEN>" (unset: no token is accepted).
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# Seconds the detailed probe waits for the broker.
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)

# --- Caches ----------------------------------------------------------------
# Rate limits (msq_portal.ratelimit), locks and caches must be shared by every web
# process: with a Redis broker and no CACHE_URL, the cache is that Redis server's
# database CACHE_REDIS_DB (a separate one from the broker's, so that purging one
# never empties the other). The embedded default, one process, uses local memory.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _broker = urlsplit(CELERY_BROKER_URL)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _broker._replace(path=f"/{env.int('CACHE_REDIS_DB', default=15)}").geturl(),
            # A cache that does not answer must not hang a request (see the broker's timeouts).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="msq"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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

# --- The read API (api/) ------------------------------------------------------
# Calls per token per window, counted in the shared cache (msq_portal.ratelimit).
MSQ_API_RATE_LIMIT = env.int("MSQ_API_RATE_LIMIT", default=120)
MSQ_API_RATE_WINDOW_SECONDS = env.int("MSQ_API_RATE_WINDOW_SECONDS", default=60)
# The largest page of /api/v1/submissions; a larger `limit` is refused with a 400.
MSQ_API_PAGE_SIZE_MAX = env.int("MSQ_API_PAGE_SIZE_MAX", default=200)
# --- The link checker (linkcheck/) ----------------------------------------
# Every URL in the answers is fetched by a Celery worker through a client that
# connects only to public addresses (linkcheck/guard.py).
# Check links on their own after saves, submits and nightly. Off in the embedded
# default: without a worker the checks would run inside the officials' requests.
LINKCHECK_AUTO = env.bool("LINKCHECK_AUTO", default=not CELERY_TASK_ALWAYS_EAGER)
# A save queues one check of the submission's links this many seconds later; more
# saves meanwhile queue nothing more (ten saves in a minute give one check).
LINKCHECK_DEBOUNCE_SECONDS = env.int("LINKCHECK_DEBOUNCE_SECONDS", default=60)
# A URL checked less than this long ago is not fetched again (a reviewer's "Check now" does).
LINKCHECK_CACHE_HOURS = env.float("LINKCHECK_CACHE_HOURS", default=20)
LINKCHECK_CONNECT_TIMEOUT = env.float("LINKCHECK_CONNECT_TIMEOUT", default=5)
LINKCHECK_READ_TIMEOUT = env.float("LINKCHECK_READ_TIMEOUT", default=10)
# The whole check of one URL, redirects included, ends after this many seconds.
LINKCHECK_TOTAL_TIMEOUT = env.float("LINKCHECK_TOTAL_TIMEOUT", default=20)
LINKCHECK_MAX_REDIRECTS = env.int("LINKCHECK_MAX_REDIRECTS", default=5)
LINKCHECK_MAX_BODY_BYTES = env.int("LINKCHECK_MAX_BODY_BYTES", default=64 * 1024)
# Politeness: at most one request per host per this many seconds, across workers (cache).
LINKCHECK_HOST_INTERVAL_SECONDS = env.int("LINKCHECK_HOST_INTERVAL_SECONDS", default=2)
# URLs fetched at once by one task (threads); the worker's concurrency multiplies it.
LINKCHECK_CONCURRENCY = env.int("LINKCHECK_CONCURRENCY", default=8)
LINKCHECK_CONTACT = env.str("LINKCHECK_CONTACT", default="dpidg@un.org")
LINKCHECK_USER_AGENT = env.str(
    "LINKCHECK_USER_AGENT",
    default=f"MSQPortal-LinkChecker/1.0 (UN DESA DPIDG; +{SITE_URL}; {LINKCHECK_CONTACT})",
)
# For the test suite ONLY: addresses ("127.0.0.1") or address:port pairs the checker
# may reach although they are not public, so that tests check links against local
# servers. Production refuses to start with it: loopback and private ranges are
# always refused there (linkcheck.checker also ignores it when PRODUCTION).
LINKCHECK_ALLOWED_TEST_HOSTS = env.list("LINKCHECK_ALLOWED_TEST_HOSTS", default=[])
if PRODUCTION and LINKCHECK_ALLOWED_TEST_HOSTS:
    raise ImproperlyConfigured(
        "LINKCHECK_ALLOWED_TEST_HOSTS is for the test suite only: unset it in production."
    )

# --- The questionnaire -----------------------------------------------------
# The edition officials see when they sign in.
MSQ_CURRENT_EDITION = env.str("MSQ_CURRENT_EDITION", default="msq-2020")
# How long a section page's form, posted after its session expired, may still be saved
# once the same official signs in again (questionnaire.filling.session_stash).
MSQ_STASH_MAX_AGE_SECONDS = env.int("MSQ_STASH_MAX_AGE_SECONDS", default=12 * 60 * 60)
