"""What officials get when no edition is open: a page that says so, never a 404 or a 500.

Every country-side page finds its edition through questionnaire.selectors.edition_current,
which raises NoOpenEditionError between editions (one closed, the next not opened yet).
This middleware turns that into the page "no edition is open" (with the last edition's
deadline, the help address and the country's past editions), or into the autosave's JSON
refusal, in one place rather than in each view.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as gettext_now

from questionnaire.access import official_country
from questionnaire.selectors import (
    NoOpenEditionError,
    edition_last_closed,
    submissions_past_for_country,
)


def no_open_edition_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The officials' page between editions."""
    country = official_country(request.user)
    return render(
        request,
        "questionnaire/no_open_edition.html",
        {
            "country": country,
            "last_closed": edition_last_closed(),
            "past_submissions": submissions_past_for_country(country=country),
        },
        status=status,
    )


class NoOpenEditionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, NoOpenEditionError):
            return None
        if request.content_type == "application/json" or request.path.endswith(
            ("/autosave", "/pdf-status")
        ):
            # static/js/filling.js shows a "locked" refusal and stops saving.
            return JsonResponse(
                {
                    "error": gettext_now(
                        "No edition of the questionnaire is open: nothing was saved."
                    ),
                    "code": "locked",
                    "locked": True,
                },
                status=409,
            )
        # A page posted after the edition closed: the same page, as a refusal (409).
        return no_open_edition_page(request, status=200 if request.method == "GET" else 409)
