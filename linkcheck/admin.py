"""Link health for reviewers: every checked URL, and a "has broken links" filter on submissions."""

from django.contrib import admin

from linkcheck.models import RESULT_FIELDS, LinkCheck
from questionnaire.review.admin import ReviewerReadOnlyAdmin


@admin.register(LinkCheck)
class LinkCheckAdmin(ReviewerReadOnlyAdmin):
    list_display = ("url", "state", "status_code", "final_url", "response_ms", "checked_at")
    list_filter = ("state",)
    search_fields = ("url", "final_url", "uses__submission__country__name")
    readonly_fields = ("url", *RESULT_FIELDS)
    exclude = ("url_key",)
