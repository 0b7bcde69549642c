"""The health probe that load balancers and docker-compose ask."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from msq_portal.celery import app as celery_app


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors: any of them means "down"
        return "unreachable"
    return "ok"


@require_GET
@never_cache
@login_not_required
def healthz(request):
    """200 when the database answers, 503 when it does not; the broker is reported.

    A broker outage does not fail the probe: submissions still save, and the
    sweeper renders what was missed once the broker is back.
    """
    state = {"database": _database_state(), "broker": _broker_state()}
    status = 200 if state["database"] == "ok" else 503
    return JsonResponse(state, status=status)
