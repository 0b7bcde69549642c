"""The review console's shared pieces: who is a reviewer, the read-only base admin, and the
edition content (editions, sections, questions) shown read-only.

Content comes from edition files and answers from countries: never typed here.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.time_zones import datetime_with_zone
from questionnaire.access import is_reviewer
from questionnaire.models import Edition, Question, Section, Submission


def reviewer(request) -> bool:
    """is_reviewer, asked once per request (the admin asks for every permission on a page)."""
    if not hasattr(request, "_msq_is_reviewer"):
        request._msq_is_reviewer = is_reviewer(request.user)
    return request._msq_is_reviewer


class ReviewerReadOnlyAdmin(admin.ModelAdmin):
    """Visible to reviewers (the Reviewers group, not per-model permissions); never editable.

    Content comes from edition files and answers from countries: never typed here.
    """

    def has_module_permission(self, request):
        return reviewer(request)

    def has_view_permission(self, request, obj=None):
        return reviewer(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(ReviewerReadOnlyAdmin):
    """The edition's content comes from its file; its calendar is DPIDG's to set here: when it
    opens, the deadline, and whether it still takes answers (closing it stops late submits)."""

    list_display = (
        "code",
        "title",
        "year",
        "opens_on_shown",
        "deadline_shown",
        "is_open",
        "source_file",
        "loaded_at",
    )
    fields = (
        "code",
        "title",
        "year",
        "opens_on",
        "deadline",
        "is_open",
        "carried_over_must_be_confirmed",
        "source_file",
        "source_sha256",
        "loaded_at",
    )
    readonly_fields = ("code", "title", "year", "source_file", "source_sha256", "loaded_at")

    def has_change_permission(self, request, obj=None):
        return reviewer(request)

    # Reviewers' pages are in UTC (accounts.time_zones): the dates say so.
    @admin.display(description=Edition._meta.get_field("opens_on").verbose_name)
    def opens_on_shown(self, obj: Edition) -> str:
        return datetime_with_zone(obj.opens_on) if obj.opens_on else "-"

    @admin.display(description=Edition._meta.get_field("deadline").verbose_name)
    def deadline_shown(self, obj: Edition) -> str:
        return datetime_with_zone(obj.deadline) if obj.deadline else "-"


@admin.register(Section)
class SectionAdmin(ReviewerReadOnlyAdmin):
    list_display = ("edition", "numeral", "title", "order")
    list_filter = ("edition",)


@admin.register(Question)
class QuestionAdmin(ReviewerReadOnlyAdmin):
    list_display = ("code", "display_number", "text", "kind", "section", "required")
    list_filter = ("edition", "section", "kind")
    search_fields = ("code", "text")
    list_select_related = ("section",)


def pdf_download_url(submission: Submission) -> str | None:
    """Where reviewers download a submission's PDF (questionnaire/downloads.py)."""
    try:
        return reverse("questionnaire:submission_pdf", args=[submission.pk])
    except NoReverseMatch:  # the PDF module's URLs are not installed
        return None


def language_name(code: str) -> str:
    """The language's name in the reviewer's language ("French"), or "" for none."""
    if not code:
        return ""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code
