from django.contrib import admin
from django.urls import include, path

from api.endpoints import urls as api_urls
from msq_portal.health import healthz

admin.site.site_header = "MSQ Portal — DPIDG review"
admin.site.site_title = "MSQ Portal"
admin.site.index_title = "Review console"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.auth_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/api-tokens/", include("api.urls")),
    path("api/v1/", api_urls()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("linkcheck.urls")),
    path("", include("questionnaire.urls")),
]
