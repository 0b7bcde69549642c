"""Every call of the read API is recorded: with its token's owner when a token was given."""

import logging

from api.services import api_call_record

logger = logging.getLogger("api.calls")

API_PREFIX = "/api/"


class ApiCallLogMiddleware:
    """After an /api/ request: an ApiCall row (and a log line) for a call made with a known
    token, whatever its answer; a log line alone for a call without one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        token = getattr(request, "api_token", None)
        if token is not None:
            api_call_record(
                token=token,
                method=request.method,
                path=request.path[:500],
                query=request.META.get("QUERY_STRING", ""),
                status=response.status_code,
            )
        else:
            logger.info(
                "api call without a known token",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                },
            )
        return response
