"""The admin's submissions list: selecting submissions to export them, and the way into each
review page (decisions.py). Reading every Member State's state (not-started included,
progress, dates, comments) is the staff list's job (review/list_views.py): this one keeps
the few columns that fit beside its filters at 1280 px."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.time_zones import iso_with_zone
from linkcheck.filters import HasBrokenLinksFilter
from questionnaire.exports.labelled import ExportRefused
from questionnaire.exports.registry import EXPORTERS
from questionnaire.models import Edition, Submission
from questionnaire.review.admin.base import (
    ReviewerReadOnlyAdmin,
    language_name,
    pdf_download_url,
)
from questionnaire.review.admin.decisions import SubmissionReviewMixin
from questionnaire.review.admin.history import SubmissionHistoryMixin
from questionnaire.review.selectors import status_counts, submission_list_queryset

# Spooled in memory up to this size, then on disk: a selected-rows export never fills memory.
SPOOL_MAX_BYTES = 8 * 1024 * 1024


class SubmitterLanguageFilter(admin.SimpleListFilter):
    """The submitter's language by name, and the submissions never submitted (no language):
    Django's own filter listed that empty value as a link without text."""

    title = _("language")
    parameter_name = "language"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [(code, language_name(code)) for code, _name in settings.LANGUAGES] + [
            (self.NONE, _("Not submitted"))
        ]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(language="")
        if self.value():
            return queryset.filter(language=self.value())
        return queryset


def _export_action(identifier: str):
    exporter_class = EXPORTERS[identifier]

    @admin.action(
        # Lazy: the description is translated per request, not once at import.
        description=format_lazy(_("Export selected: {format}"), format=exporter_class.verbose_name),
        permissions=["view"],
    )
    def action(modeladmin, request, queryset):
        return modeladmin.export_selected(request, queryset, identifier)

    action.__name__ = f"export_{identifier}"
    return action


@admin.register(Submission)
class SubmissionAdmin(SubmissionReviewMixin, SubmissionHistoryMixin, ReviewerReadOnlyAdmin):
    list_display = (
        "country",
        "edition__code",
        "status",
        "submitted_at_shown",
        "consent",
        "language_name",
        "pdf_link",
    )
    list_filter = (
        "edition",
        "status",
        "country__region",
        "country__subregion",
        "consent",
        SubmitterLanguageFilter,
        HasBrokenLinksFilter,  # linkcheck (issue 16)
    )
    search_fields = ("country__name", "country__official_name", "country__iso3", "country__iso2")
    list_per_page = 200
    actions = [_export_action(identifier) for identifier in EXPORTERS]
    change_list_template = "admin/questionnaire/submission/change_list.html"

    def get_queryset(self, request):
        return submission_list_queryset(super().get_queryset(request))

    @admin.display(description=_("language"), ordering="language")
    def language_name(self, obj: Submission) -> str:
        return language_name(obj.language) or "—"

    # Reviewers' lists show ISO dates with the zone (accounts.time_zones).
    @admin.display(
        description=Submission._meta.get_field("submitted_at").verbose_name,
        ordering="submitted_at",
    )
    def submitted_at_shown(self, obj: Submission) -> str:
        return iso_with_zone(obj.submitted_at) if obj.submitted_at else "—"

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj: Submission) -> str:
        if not obj.pdf:
            return "—"
        # Named as officials count submissions; the version is an internal save counter.
        if obj.has_current_pdf:
            label = _("PDF of submission %(number)s") % {"number": obj.submission_number}
        else:
            label = _("PDF of an earlier submission")
        url = pdf_download_url(obj)
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    # --- The list: counts per status ----------------------------------------

    def changelist_view(self, request, extra_context=None):
        # Without the app sidebar the table and its filters fit 1280 px side by side.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        response = super().changelist_view(request, extra_context=extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            counts = status_counts(context["cl"].queryset.prefetch_related(None))
            context["status_counts"] = [
                (value, label, counts[value]) for value, label in Submission.Status.choices
            ]
        return response

    # --- Exports of selected rows --------------------------------------------

    def export_selected(self, request, queryset: QuerySet, identifier: str):
        # A fresh queryset: the list's prefetches would clash with the exporter's.
        submissions = Submission.objects.filter(pk__in=queryset.values("pk"))
        edition_ids = set(submissions.values_list("edition_id", flat=True))
        if len(edition_ids) != 1:
            self.message_user(
                request, _("Select submissions of a single edition to export."), messages.ERROR
            )
            return None
        exporter = EXPORTERS[identifier](edition=Edition.objects.get(pk=edition_ids.pop()))
        # Closed by the FileResponse once sent.
        handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
        try:
            exporter.write(submissions=submissions, out=handle)
        except ExportRefused as refusal:
            # A value the format cannot hold (an SPSS string over 32,767 bytes): said, never cut.
            handle.close()
            self.message_user(request, str(refusal), messages.ERROR)
            return None
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=exporter.filename(),
            content_type=exporter.content_type,
        )
