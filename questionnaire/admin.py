"""The review console's model pages. Review actions, dashboards and exports build on these."""

from django.contrib import admin

from questionnaire.models import (
    Answer,
    Edition,
    Question,
    ReviewComment,
    Section,
    Submission,
    SubmissionEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Content comes from edition files and answers from countries: never typed here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "year", "is_open", "source_file", "loaded_at")


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ("edition", "numeral", "title", "order")
    list_filter = ("edition",)


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("code", "display_number", "text", "kind", "section", "required")
    list_filter = ("edition", "section", "kind")
    search_fields = ("code", "text")
    list_select_related = ("section",)


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = (
        "country",
        "edition",
        "status",
        "version",
        "consent",
        "submitted_at",
        "updated_at",
    )
    list_filter = ("edition", "status", "country__region", "consent")
    search_fields = ("country__name", "country__iso3")
    list_select_related = ("country", "edition")


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("submission", "question", "updated_by", "updated_at")
    list_filter = ("submission__edition",)
    list_select_related = ("submission__country", "submission__edition", "question", "updated_by")


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "actor", "version", "created_at")
    list_filter = ("kind",)
    list_select_related = ("submission__country", "submission__edition", "actor")


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    list_display = ("submission", "question", "author", "version", "created_at")
    list_select_related = ("submission__country", "submission__edition", "question", "author")
