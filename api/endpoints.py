"""The read API for analysts' programs, at /api/v1/ (django-ninja, OpenAPI built in).

Read-only, for reviewers' personal tokens only (`Authorization: Bearer msq_…`):
no session, so no cookie and no CSRF surface. Anonymous callers and callers
without a valid token get 401, a token whose owner is not (or no longer) a
reviewer 403, and nothing else. Every token call is recorded
(api.middleware), and rate limited per token in the shared cache.
Bad input (unknown filters, bad cursors, page sizes over the limit, values
of the wrong type) is a 400 that says what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer

from accounts.access import is_reviewer
from api import schemas
from api.selectors import api_token_for_secret, submissions_page
from msq_portal.ratelimit import rate_limit_exceeded
from questionnaire.access import submission_visible_or_404
from questionnaire.exports.json_nested import JsonExporter
from questionnaire.exports.reading import export_snapshot, submissions_for_export
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.models import Edition, Submission
from questionnaire.selectors import edition_layout, submission_values

CURSOR_SALT = "api.v1.submissions.cursor"
# A streamed response is sent in pieces of about this many bytes, not a row at a time.
STREAM_CHUNK_BYTES = 64 * 1024


class RateLimited(HttpError):
    def __init__(self, window: int):
        super().__init__(
            429, f"Too many calls with this token: wait up to {window} seconds and try again."
        )
        self.window = window


class ReviewerToken(HttpBearer):
    """A reviewer's personal API token in the Authorization header; sessions are ignored."""

    def authenticate(self, request: HttpRequest, token: str):
        api_token = api_token_for_secret(secret=token)
        if api_token is None:
            return None  # 401
        # Known from here on: the call is recorded with the token's owner (api.middleware).
        request.api_token = api_token
        if not is_reviewer(api_token.user):
            raise AuthorizationError(
                message="This token's owner is not a reviewer: the API is for reviewers only."
            )
        window = settings.MSQ_API_RATE_WINDOW_SECONDS
        if rate_limit_exceeded(
            scope="api",
            key=str(api_token.pk),
            limit=settings.MSQ_API_RATE_LIMIT,
            window_seconds=window,
        ):
            raise RateLimited(window)
        return api_token.user


api = NinjaAPI(
    title="MSQ Portal read API",
    version="1",
    description=(
        "Read-only access for DPIDG reviewers' programs (R, Python, Stata) to the Member "
        "States Questionnaire: editions, submissions, answers and the tidy rows of an "
        "edition. Authenticate with a personal token made on your account page: "
        "`Authorization: Bearer msq_…`."
    ),
    auth=ReviewerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request,
        {
            "detail": (
                "Send a reviewer's API token: 'Authorization: Bearer msq_…'. Tokens are "
                "made on the account page; a revoked or unknown token is refused."
            )
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="msq-api"'
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.window)
    return response


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    # 400, not ninja's 422, with each problem in words: "limit: Input should be ...".
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


def _only_params(request: HttpRequest, allowed: Iterable[str]) -> None:
    """Refuse query parameters the route does not know: a misspelt filter must not
    silently return everything."""
    allowed = set(allowed)
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise HttpError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}. "
            f"This route takes: {', '.join(sorted(allowed)) or 'none'}.",
        )


REFUSALS = {
    401: schemas.Problem,
    403: schemas.Problem,
    429: schemas.Problem,
}
BAD_INPUT = {400: schemas.Problem, **REFUSALS}


# --- Editions --------------------------------------------------------------------------


@api.get(
    "/editions",
    response={200: list[schemas.EditionSummary], **BAD_INPUT},
    url_name="editions",
    tags=["editions"],
)
def editions(request):
    """Every edition of the questionnaire, newest first."""
    _only_params(request, ())
    return list(Edition.objects.order_by("-year", "code"))


@api.get(
    "/editions/{code}",
    response={200: schemas.EditionDetail, 404: schemas.Problem, **BAD_INPUT},
    url_name="edition",
    tags=["editions"],
)
def edition(request, code: str):
    """An edition with its sections, questions, their parts and the parts' choices
    (the codebook of the JSON export)."""
    _only_params(request, ())
    found = get_object_or_404(Edition, code=code)
    return JsonExporter(edition=found).edition_header()


def _batched(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Pieces joined into chunks of about STREAM_CHUNK_BYTES (one write each, not one a row)."""
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= STREAM_CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def _tidy(code: str, statuses: list[Submission.Status] | None):
    exporter = TidyCsvExporter(edition=get_object_or_404(Edition, code=code))
    submissions = submissions_for_export(
        edition=exporter.edition, statuses=[str(status) for status in statuses or ()]
    )
    return exporter, submissions


TIDY_PARAMS = ("status",)


@api.get(
    "/editions/{code}/tidy.csv",
    response={200: None, 404: schemas.Problem, **BAD_INPUT},
    url_name="edition_tidy_csv",
    tags=["editions"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The tidy CSV export, streamed: one row per answer value.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def edition_tidy_csv(request, code: str, status: Query[list[Submission.Status] | None] = None):
    """The tidy rows of the edition as CSV, exactly the tidy CSV export's file (UTF-8 with a
    byte order mark; cells a spreadsheet would run as formulas start with an apostrophe).
    `status` (repeatable) keeps submissions in those statuses; all by default."""
    _only_params(request, TIDY_PARAMS)
    exporter, submissions = _tidy(code, status)
    response = StreamingHttpResponse(
        _batched(exporter.csv_chunks(submissions)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="msq-{code}-tidy.csv"'
    return response


def _jsonl(exporter: TidyCsvExporter, submissions) -> Iterator[bytes]:
    _title, header, rows = next(iter(exporter.sheets(submissions, None)))
    for row in rows:
        yield json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False).encode() + b"\n"


@api.get(
    "/editions/{code}/tidy.jsonl",
    response={200: None, 404: schemas.Problem, **BAD_INPUT},
    url_name="edition_tidy_jsonl",
    tags=["editions"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The tidy rows as JSON lines: one object per row, the CSV's "
                "columns as keys.",
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            }
        }
    },
)
def edition_tidy_jsonl(request, code: str, status: Query[list[Submission.Status] | None] = None):
    """The tidy rows of the edition as JSON lines, from the same rows as the tidy CSV
    (values as typed: JSON has no formulas to guard against)."""
    _only_params(request, TIDY_PARAMS)
    exporter, submissions = _tidy(code, status)
    return StreamingHttpResponse(
        _batched(_jsonl(exporter, submissions)), content_type="application/x-ndjson"
    )


# --- Submissions -----------------------------------------------------------------------

SUBMISSION_PARAMS = ("edition", "status", "region", "updated_since", "cursor", "limit")


def _cursor_dump(submission: Submission) -> str:
    return signing.dumps(
        [submission.updated_at.isoformat(), submission.pk], salt=CURSOR_SALT, compress=True
    )


def _cursor_load(cursor: str) -> tuple[datetime, int]:
    try:
        moment, pk = signing.loads(cursor, salt=CURSOR_SALT)
        return datetime.fromisoformat(moment), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise HttpError(
            400,
            "cursor: not a cursor this API gave out. Pass back next_cursor exactly as "
            "received, or leave cursor out for the first page.",
        ) from error


def _submission_out(submission: Submission) -> dict:
    country = submission.country
    return {
        "id": submission.pk,
        "edition": submission.edition.code,
        "country_iso3": country.iso3,
        "country": country.name,
        "region": country.region,
        "subregion": country.subregion,
        "status": submission.status,
        "version": submission.version,
        "submitted_version": submission.submitted_version,
        "submitted_at": submission.submitted_at,
        "consent": submission.consent,
        "language": submission.language,
        "updated_at": submission.updated_at,
    }


@api.get(
    "/submissions",
    response={200: schemas.SubmissionPage, **BAD_INPUT},
    url_name="submissions",
    tags=["submissions"],
)
def submissions(
    request,
    edition: str | None = None,
    status: Submission.Status | None = None,
    region: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    """Submissions in order of last change (oldest first), a page at a time.

    Filters: `edition` (code), `status`, `region` (UN region, e.g. Africa),
    `updated_since` (ISO 8601 date-time). `limit`: 1 to MSQ_API_PAGE_SIZE_MAX
    (200 by default). `next_cursor` is null on the last page; keep it to carry on
    later, or keep the last `updated_at` for `updated_since`.
    """
    _only_params(request, SUBMISSION_PARAMS)
    maximum = settings.MSQ_API_PAGE_SIZE_MAX
    if not 1 <= limit <= maximum:
        raise HttpError(400, f"limit: between 1 and {maximum}, not {limit}.")
    if updated_since is not None and updated_since.tzinfo is None:
        raise HttpError(400, "updated_since: give a time zone, e.g. 2020-05-01T00:00:00Z.")
    after = _cursor_load(cursor) if cursor else None
    rows = submissions_page(
        edition_code=edition,
        status=status,
        region=region,
        updated_since=updated_since,
        after=after,
        limit=limit,
    )
    page, more = rows[:limit], len(rows) > limit
    return {
        "items": [_submission_out(submission) for submission in page],
        "next_cursor": _cursor_dump(page[-1]) if more else None,
    }


@api.get(
    "/submissions/{submission_id}/answers",
    response={200: schemas.SubmissionAnswers, 404: schemas.Problem, **BAD_INPUT},
    url_name="submission_answers",
    tags=["submissions"],
)
def submission_answers(request, submission_id: int):
    """A submission's answers as they stand, shaped as one country of the JSON export."""
    _only_params(request, ())
    # The token's owner is a reviewer (ReviewerToken): questionnaire.access's rule for them.
    submission = submission_visible_or_404(user=request.auth, submission_id=submission_id)
    snapshot = export_snapshot(
        submission=submission,
        layout=edition_layout(edition=submission.edition),
        values=submission_values(submission=submission),
    )
    return {
        "id": submission.pk,
        "edition": submission.edition.code,
        **JsonExporter.country_entry(snapshot),
    }


def urls():
    """The API's URL patterns, exempt from LoginRequiredMiddleware's redirect to the sign-in
    page: a program is told 401 in JSON, never sent to an HTML form."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace
