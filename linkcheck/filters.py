"""The "has broken links" filter of the submissions admin (questionnaire.review.admin uses it)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linkcheck.selectors import submissions_with_broken_links


class HasBrokenLinksFilter(admin.SimpleListFilter):
    """Submissions listing a link not found, not answering or with a certificate problem."""

    title = _("has broken links")
    parameter_name = "broken_links"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return submissions_with_broken_links(queryset)
        if self.value() == "no":
            return queryset.exclude(pk__in=submissions_with_broken_links(queryset).values("pk"))
        return queryset
