"""Public pages about the portal itself: the accessibility statement, the privacy notice,
and /favicon.ico for browsers that ask for it before reading the page's <link rel="icon">.

Open to anyone (no sign-in): a person must be able to read how their data is used and
how to report a barrier before they have an account, or when they cannot sign in.
"""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

# When each text was last reviewed: change it with the text, since both pages say it.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 12, 1)
PRIVACY_NOTICE_DATE = datetime.date(2026, 12, 1)
# The answer DPIDG commits to in the accessibility statement, in working days.
ACCESSIBILITY_RESPONSE_WORKING_DAYS = 5


@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/accessibility.html",
        {
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
            "response_days": ACCESSIBILITY_RESPONSE_WORKING_DAYS,
        },
    )


@login_not_required
@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    # The periods the code enforces, read from the settings so that the notice follows them.
    return render(
        request,
        "pages/privacy.html",
        {
            "notice_date": PRIVACY_NOTICE_DATE,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60),
            "limit_window_minutes": settings.SIGN_IN_LIMIT_WINDOW_SECONDS // 60,
            "export_retention_days": settings.MSQ_EXPORT_RETENTION_DAYS,
        },
    )


class FaviconRedirectView(RedirectView):
    """/favicon.ico: to the SVG icon among the static files (served by WhiteNoise)."""

    permanent = False
    http_method_names = ["get", "head"]

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


favicon = login_not_required(FaviconRedirectView.as_view())
