"""The review console: DPIDG reviewers' pages in the Django admin.

Everything here is read-only: answers come from countries and questionnaire
content from edition files. Reviewers act on a submission only through the
review services (return, accept, reopen, comment), each of which records an
event with its author, and export through the exporters' registry.
"""

from __future__ import annotations

import bisect
import tempfile
from collections import defaultdict

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.access import is_reviewer
from linkcheck.filters import HasBrokenLinksFilter
from questionnaire.exports.registry import EXPORTERS
from questionnaire.models import (
    Answer,
    Edition,
    ExportJob,
    Question,
    ReviewComment,
    Section,
    Submission,
    SubmissionEvent,
)
from questionnaire.review.selectors import (
    status_counts,
    submission_events,
    submission_list_queryset,
    submission_progress,
)
from questionnaire.review.services import (
    ReviewError,
    review_comments_add,
    submission_accept,
    submission_reopen,
    submission_return,
)
from questionnaire.selectors import submission_snapshot

# Spooled in memory up to this size, then on disk: a selected-rows export never fills memory.
SPOOL_MAX_BYTES = 8 * 1024 * 1024


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


# Kept under its old name: other modules may subclass it.
ReadOnlyAdmin = ReviewerReadOnlyAdmin


@admin.register(Edition)
class EditionAdmin(ReviewerReadOnlyAdmin):
    list_display = ("code", "title", "year", "is_open", "source_file", "loaded_at")


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


def _language_name(code: str) -> str:
    """The language's name in the reviewer's language ("French"), or "" for none."""
    if not code:
        return ""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


@admin.register(Submission)
class SubmissionAdmin(ReviewerReadOnlyAdmin):
    list_display = (
        "country",
        "country__region",
        "country__subregion",
        "edition__code",
        "status",
        "progress",
        "updated_at",
        "submitted_at",
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
        "language",
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
        return _language_name(obj.language) or "—"

    @admin.display(description=_("progress"))
    def progress(self, obj: Submission) -> str:
        return f"{submission_progress(obj)} %"

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
        exporter.write(submissions=submissions, out=handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=exporter.filename(),
            content_type=exporter.content_type,
        )

    # --- A submission's review page --------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/comments/", view(self.comments_view), name=f"{prefix}_comments"),
            path("<path:object_id>/accept/", view(self.accept_view), name=f"{prefix}_accept"),
            path("<path:object_id>/reopen/", view(self.reopen_view), name=f"{prefix}_reopen"),
            path(
                "<path:object_id>/render-pdf/",
                view(self.render_pdf_view),
                name=f"{prefix}_render_pdf",
            ),
            *super().get_urls(),
        ]

    def _submission_or_404(self, request, object_id) -> Submission:
        if not reviewer(request):
            raise PermissionDenied
        submission = self.get_object(request, unquote(object_id))
        if submission is None:
            raise Http404
        return submission

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self._submission_or_404(request, object_id)
        return self._review_page(request, submission)

    def _review_page(
        self, request, submission: Submission, *, posted: dict | None = None, error: str = ""
    ):
        snapshot = submission_snapshot(submission=submission)
        comments = list(
            submission.review_comments.select_related("author", "question").order_by(
                "created_at", "id"
            )
        )
        # Which submission each comment was written on, as the country counts them.
        submitted_versions = sorted(
            submission.events.filter(kind=SubmissionEvent.Kind.SUBMITTED).values_list(
                "version", flat=True
            )
        ) or ([submission.submitted_version] if submission.submitted_version else [])
        by_question: dict[int | None, list[ReviewComment]] = defaultdict(list)
        for comment in comments:
            comment.submission_number = bisect.bisect_right(submitted_versions, comment.version)
            by_question[comment.question_id].append(comment)
        posted = posted or {}
        sections = [
            {
                "section": section.section,
                "questions": [
                    {
                        "snapshot": question,
                        "comments": by_question.get(question.question.id, []),
                        "draft": posted.get(question.question.code, ""),
                    }
                    for question in section.questions
                ],
            }
            for section in snapshot.sections
        ]
        Status = Submission.Status
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review: %(country)s") % {"country": submission.country.name},
            "subtitle": submission.edition.title,
            "submission": submission,
            "snapshot": snapshot,
            "sections": sections,
            "general_comments": by_question.get(None, []),
            "general_draft": posted.get("", ""),
            "events": submission_events(submission=submission),
            "can_return": submission.status in {Status.SUBMITTED, Status.ACCEPTED},
            "can_accept": submission.status == Status.SUBMITTED,
            "can_reopen": submission.status in {Status.SUBMITTED, Status.ACCEPTED},
            "pdf_url": pdf_download_url(submission) if submission.pdf else None,
            "submission_language_name": _language_name(submission.language),
            "english_pdf_url": (
                reverse(
                    "questionnaire:submission_pdf_in_language",
                    kwargs={"submission_id": submission.pk, "language": settings.LANGUAGE_CODE},
                )
                if submission.submitted_version
                and submission.language
                and submission.language != settings.LANGUAGE_CODE
                else None
            ),
            "error": error,
            "events_url": reverse("admin:questionnaire_submissionevent_changelist")
            + f"?submission__id__exact={submission.pk}",
        }
        return TemplateResponse(
            request,
            "admin/questionnaire/submission/review.html",
            context,
            status=400 if error else 200,
        )

    def _post_only(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return None

    @staticmethod
    def _base_version(request) -> int:
        """The version the reviewer's page showed; every action needs it (no blind decisions)."""
        try:
            return int(request.POST.get("version", ""))
        except ValueError:
            raise ReviewError(
                _("The page sent was not complete. Read the submission again and retry.")
            ) from None

    def _back(self, submission: Submission):
        return redirect("admin:questionnaire_submission_change", submission.pk)

    def comments_view(self, request, object_id):
        """Save the typed comments, or return the submission with them (button `action`)."""
        submission = self._submission_or_404(request, object_id)
        if refused := self._post_only(request):
            return refused
        comments = {"": request.POST.get("comment-general", "")}
        for key, text in request.POST.items():
            if key.startswith("comment-q-"):
                comments[key.removeprefix("comment-q-")] = text
        try:
            base_version = self._base_version(request)
            if request.POST.get("action") == "return":
                submission_return(
                    submission=submission,
                    reviewer=request.user,
                    comments=comments,
                    base_version=base_version,
                )
                self.message_user(
                    request,
                    _("Returned to %(country)s; its officials are e-mailed the comments.")
                    % {"country": submission.country.name},
                    messages.SUCCESS,
                )
            else:
                written = len(
                    review_comments_add(
                        submission=submission, reviewer=request.user, comments=comments
                    )
                )
                self.message_user(
                    request,
                    _("%(count)d comment(s) saved. The country sees them once you return it.")
                    % {"count": written},
                    messages.SUCCESS if written else messages.WARNING,
                )
        except ReviewError as error:
            # Shown again with what was typed: a refused action never loses a comment.
            return self._review_page(request, submission, posted=comments, error=str(error))
        return self._back(submission)

    def accept_view(self, request, object_id):
        submission = self._submission_or_404(request, object_id)
        if refused := self._post_only(request):
            return refused
        if request.POST.get("confirm") != "yes":
            # The box is required in the page too; this is for a post without it.
            self.message_user(
                request,
                _("Tick the box to confirm the acceptance: nothing changed."),
                messages.ERROR,
            )
            return self._back(submission)
        try:
            submission_accept(
                submission=submission,
                reviewer=request.user,
                base_version=self._base_version(request),
            )
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(country)s's submission is accepted.") % {"country": submission.country.name},
                messages.SUCCESS,
            )
        return self._back(submission)

    def reopen_view(self, request, object_id):
        submission = self._submission_or_404(request, object_id)
        if refused := self._post_only(request):
            return refused
        try:
            submission_reopen(
                submission=submission,
                reviewer=request.user,
                reason=request.POST.get("reason", ""),
                base_version=self._base_version(request),
            )
        except ReviewError as error:
            return self._review_page(request, submission, error=str(error))
        self.message_user(
            request,
            _("Reopened: %(country)s may change its answers again; its officials are e-mailed.")
            % {"country": submission.country.name},
            messages.SUCCESS,
        )
        return self._back(submission)

    def render_pdf_view(self, request, object_id):
        submission = self._submission_or_404(request, object_id)
        if refused := self._post_only(request):
            return refused
        try:
            from questionnaire.pdf.services import pdf_render_queue
        except ImportError:
            self.message_user(request, _("PDF rendering is not available."), messages.ERROR)
            return self._back(submission)
        if submission.submitted_version is None:
            self.message_user(
                request, _("Only a submitted questionnaire has a PDF."), messages.ERROR
            )
            return self._back(submission)
        # Forced: the reviewer asks for a fresh file even if one is stored for this version.
        pdf_render_queue(submission=submission, force=True)
        self.message_user(
            request,
            _("The PDF is being rendered again; it will be ready in a minute."),
            messages.SUCCESS,
        )
        return self._back(submission)


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
