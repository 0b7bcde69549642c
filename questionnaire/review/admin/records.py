"""The review console's other read-only lists: answers, events, comments, export jobs,
reminders."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from questionnaire.models import Answer, ExportJob, Reminder, ReviewComment, SubmissionEvent
from questionnaire.review.admin.base import ReviewerReadOnlyAdmin


@admin.register(Answer)
class AnswerAdmin(ReviewerReadOnlyAdmin):
    list_display = ("submission", "question", "updated_by", "updated_at")
    list_filter = ("submission__edition",)
    list_select_related = ("submission__country", "submission__edition", "question", "updated_by")


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReviewerReadOnlyAdmin):
    list_display = ("created_at", "submission", "kind", "actor", "question", "version")
    list_filter = ("kind", "submission__edition")
    search_fields = ("submission__country__name", "submission__country__iso3", "actor__email")
    list_select_related = ("submission__country", "submission__edition", "actor", "question")


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReviewerReadOnlyAdmin):
    list_display = ("submission", "question", "author", "version", "created_at")
    list_filter = ("submission__edition",)
    search_fields = ("submission__country__name", "text")
    list_select_related = ("submission__country", "submission__edition", "question", "author")


@admin.register(Reminder)
class ReminderAdmin(ReviewerReadOnlyAdmin):
    """The record of every deadline reminder: who asked, when it left, to whom."""

    list_display = ("requested_at", "country", "edition", "kind", "requested_by", "sent_at")
    list_filter = ("kind", "edition", "country__region")
    search_fields = ("country__name", "country__iso3", "requested_by__email")
    list_select_related = ("country", "edition", "requested_by")
    date_hierarchy = "requested_at"


@admin.register(ExportJob)
class ExportJobAdmin(ReviewerReadOnlyAdmin):
    list_display = ("created_at", "exporter", "edition", "status", "percent", "created_by")
    list_filter = ("status", "exporter", "edition")
    list_select_related = ("edition", "created_by")
    # The file is private: linked through the staff download view, never MEDIA_URL.
    fields = (
        "edition",
        "exporter",
        "statuses",
        "status",
        "progress_done",
        "progress_total",
        "download",
        "file_sha256",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = ("download", "created_at")

    @admin.display(description=_("file"))
    def download(self, obj: ExportJob) -> str:
        page = reverse("questionnaire:staff_export", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', page, _("Progress and download"))
