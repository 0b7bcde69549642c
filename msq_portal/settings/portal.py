"""The portal's own settings: the read API, the link checker and the questionnaire."""

from django.core.exceptions import ImproperlyConfigured

from msq_portal.settings.base import PRODUCTION, SITE_URL, env
from msq_portal.settings.tasks import CELERY_TASK_ALWAYS_EAGER

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
# The edition officials answer is the open one, opened by a reviewer in the admin
# (questionnaire.editions.lifecycle, docs/editions.md): no setting chooses it.
# How long a section page's form, posted after its session expired, may still be saved
# once the same official signs in again (questionnaire.filling.session_stash).
MSQ_STASH_MAX_AGE_SECONDS = env.int("MSQ_STASH_MAX_AGE_SECONDS", default=12 * 60 * 60)
