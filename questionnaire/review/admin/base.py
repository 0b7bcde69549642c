"""The review console's shared pieces: who is a reviewer, the read-only base admin, and the
edition content (sections, questions) shown read-only (editions: review/admin/editions.py).

Content comes from edition files and answers from countries: never typed here.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from questionnaire.access import is_reviewer
from questionnaire.models import Question, Section, Submission


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
