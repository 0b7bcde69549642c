from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog

from accounts.language_views import set_language_view
from api.endpoints import urls as api_urls
from msq_portal.health import healthz
from msq_portal.pages import accessibility_statement, favicon, privacy_notice

admin.site.site_header = "MSQ Portal — DPIDG review"
admin.site.site_title = "MSQ Portal"
admin.site.index_title = "Review console"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Public: readable before signing in, and by anyone who cannot sign in.
    path("accessibility/", accessibility_statement, name="accessibility"),
    path("privacy/", privacy_notice, name="privacy"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.auth_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/api-tokens/", include("api.urls")),
    path("api/v1/", api_urls()),
    # Django's set_language, which also stores a signed-in person's choice.
    path("i18n/setlang/", set_language_view, name="set_language"),
    # The strings of static/js/*.js in the active language: a script file (the CSP
    # forbids inline scripts), the same for everyone in a language, so cached per language.
    path(
        "i18n/js/",
        login_not_required(cache_page(60 * 60)(JavaScriptCatalog.as_view())),
        name="javascript-catalog",
    ),
    path("", include("linkcheck.urls")),
    path("", include("questionnaire.urls")),
]

if settings.MSQ_BENCH_MINIMAL_SAVE:  # bench/bench_load.py only (msq_portal.bench_views)
    from msq_portal.bench_views import minimal_save

    urlpatterns.append(path("bench/minimal-save", minimal_save, name="bench_minimal_save"))
