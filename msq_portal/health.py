"""The health probe that load balancers and docker-compose ask.

Anyone gets the liveness answer, {"status": "ok"} or 503 when the database
does not answer. The database's and the broker's states are details for
operators: staff, or a request with "Authorization: Bearer <HEALTHZ_TOKEN>".
Every check is bounded, so that a hung broker cannot make probes pile up and
take every web worker.
"""

import hmac
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from msq_portal.celery import app as celery_app

# The broker check runs here, so that the request waits at most HEALTHZ_BROKER_TIMEOUT
# even if a socket ignores its own timeout; two threads, so that a stuck check does
# not hold up the next probe's.
_broker_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz-broker")


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def _broker_ping() -> None:
    with celery_app.connection_for_write() as conn:
        # One retry at once: kombu's default waits 2 s before it.
        conn.ensure_connection(
            max_retries=1, interval_start=0, timeout=settings.HEALTHZ_BROKER_TIMEOUT
        )
        client = getattr(conn.default_channel, "client", None)
        if client is not None:  # Redis: a connection accepted by a stopped server proves nothing
            client.ping()


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        _broker_checks.submit(_broker_ping).result(timeout=settings.HEALTHZ_BROKER_TIMEOUT)
    except FutureTimeoutError:
        return "not answering"
    except Exception:  # kombu raises transport-specific errors: any of them means "down"
        return "unreachable"
    return "ok"


def _may_see_details(request) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.HEALTHZ_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _space, given = header.partition(" ")
    return bool(
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


@require_GET
@never_cache
@login_not_required
def healthz(request):
    """200 when the database answers, 503 when it does not; details for operators only.

    A broker outage does not fail the probe: submissions still save, and the
    sweepers send what was missed once the broker is back.
    """
    database = _database_state()
    status = 200 if database == "ok" else 503
    body = {"status": "ok" if status == 200 else "unavailable"}
    if _may_see_details(request):
        body.update(database=database, broker=_broker_state())
    return JsonResponse(body, status=status)
