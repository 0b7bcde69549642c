"""Background work and what it shares: Celery and its schedule, the PDF and export
leases, the health probe, and the cache every process shares."""

from urllib.parse import urlsplit

from celery.schedules import crontab

from msq_portal.settings.base import env

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
    # Queues the automatic deadline reminder of the open editions that ask for one
    # (Edition.reminder_days_before_deadline): daily, at a fixed UTC hour, for the same
    # reason as above. Once per country (questionnaire.review.reminders).
    "send-deadline-reminders": {
        "task": "questionnaire.tasks.task_send_automatic_reminders",
        "schedule": crontab(hour=6, minute=0),
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
# Deadline reminders are sent by the worker this many countries per task, so that one
# slow mail server holds up one batch, not all 193 (questionnaire.review.reminders).
MSQ_REMINDER_BATCH = env.int("MSQ_REMINDER_BATCH", default=20)
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
