"""Benchmark-only pieces (bench/bench_load.py): never wired in production.

settings adds them only when the environment says MSQ_BENCH_MINIMAL_SAVE=1
(bench_load.py sets it in its gunicorn's environment); without it the URL does
not exist (404) and the middleware is not installed
(tests/test_bench_views.py).

- `minimal_save`: the floor an audited autosave can reach on this stack — the
  official's submission row locked and read in one statement, one JSON answer
  updated, the version bumped by a conditional UPDATE, one audit row inserted,
  committed. Same middleware, session and CSRF as the portal's autosave.
- `RequestCostMiddleware`: the app CPU (this process's, time.process_time) and
  the SQL statements of each request, sent back as response headers that the
  benchmark aggregates per request kind.
"""

from __future__ import annotations

import json
import time

from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from questionnaire.models import Answer, Edition, Question, Submission, SubmissionEvent

# The question the minimal save writes (bench_load.py seeds an answer to it).
MINIMAL_SAVE_QUESTION = "q1"
CPU_HEADER = "X-Bench-CPU-ms"
SQL_HEADER = "X-Bench-SQL"


class RequestCostMiddleware:
    """First in MIDDLEWARE: what the whole request cost, every middleware included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        started = time.process_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response[CPU_HEADER] = f"{(time.process_time() - started) * 1000:.2f}"
        response[SQL_HEADER] = str(statements[0])
        return response


_question_ids: dict[str, int] = {}


@require_POST
def minimal_save(request: HttpRequest) -> JsonResponse:
    """{"base_version": n, "text": "..."} -> {"version": n + 1}; 409 if the version is stale."""
    payload = json.loads(request.body)
    text, base_version = payload["text"], int(payload["base_version"])
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .only("id", "version", "edition_id")
            .get(country_id=request.user.country_id, edition__state=Edition.State.OPEN)
        )
        if locked.version != base_version:
            return JsonResponse({"version": locked.version}, status=409)
        key = f"{locked.edition_id}:{MINIMAL_SAVE_QUESTION}"
        if key not in _question_ids:
            _question_ids[key] = Question.objects.get(
                edition_id=locked.edition_id, code=MINIMAL_SAVE_QUESTION
            ).id
        question_id = _question_ids[key]
        now = timezone.now()
        Answer.objects.filter(submission_id=locked.id, question_id=question_id).update(
            value={"details": text}, updated_by=request.user, updated_at=now
        )
        bumped = Submission.objects.filter(pk=locked.pk, version=base_version).update(
            version=F("version") + 1, updated_at=now
        )
        if bumped != 1:
            return JsonResponse({"version": base_version}, status=409)
        SubmissionEvent.objects.create(
            submission_id=locked.id,
            kind=SubmissionEvent.Kind.ANSWERS_SAVED,
            actor=request.user,
            question_id=question_id,
            version=base_version + 1,
            after={"details": text},
        )
    return JsonResponse({"version": base_version + 1})
