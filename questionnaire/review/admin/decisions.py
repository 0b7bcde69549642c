"""A submission's review page in the admin and the reviewers' decisions on it.

Reviewers act only through the review services (return, accept, reopen, comment),
each of which records an event with its author; which decisions the page offers
is questionnaire.workflow's table.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from questionnaire.access import submission_visible_or_404, thread_visible_or_404
from questionnaire.models import ReviewComment, Submission, SubmissionEvent
from questionnaire.pdf import services as pdf_services
from questionnaire.progress import SectionState
from questionnaire.review.admin.base import language_name, pdf_download_url, reviewer
from questionnaire.review.comments import (
    thread_reopen,
    thread_reply_by_reviewer,
    thread_resolve,
)
from questionnaire.review.selectors import progress_for_submissions
from questionnaire.review.services import (
    ReviewError,
    review_comments_add,
    submission_accept,
    submission_reopen,
    submission_return,
)
from questionnaire.review.threads import submission_threads, threads_open_by_question
from questionnaire.selectors import submission_snapshot
from questionnaire.workflow import Action, action_allowed


class SubmissionReviewMixin:
    """The review page (the admin's change view) and its POST-only decision views."""

    def get_urls(self):
        view = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/comments/", view(self.comments_view), name=f"{prefix}_comments"),
            path(
                "<path:object_id>/threads/<int:thread_id>/",
                view(self.thread_view),
                name=f"{prefix}_thread",
            ),
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
        # The console is for reviewers (403 for anyone else, as Django's admin does);
        # what a reviewer may see is questionnaire.access's rule.
        if not reviewer(request):
            raise PermissionDenied
        return submission_visible_or_404(user=request.user, submission_id=unquote(object_id))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self._submission_or_404(request, object_id)
        return self._review_page(request, submission)

    def _review_page(
        self,
        request,
        submission: Submission,
        *,
        posted: dict | None = None,
        error: str = "",
        reply_drafts: dict[int, str] | None = None,
    ):
        snapshot = submission_snapshot(submission=submission)
        threads = submission_threads(submission=submission, shared_only=False)
        # Which submission each thread was started on, as the country counts them.
        submitted_versions = sorted(
            submission.events.filter(kind=SubmissionEvent.Kind.SUBMITTED).values_list(
                "version", flat=True
            )
        ) or ([submission.submitted_version] if submission.submitted_version else [])
        reply_drafts = reply_drafts or {}
        by_question: dict[int | None, list[ReviewComment]] = defaultdict(list)
        for thread in threads:
            thread.submission_number = bisect.bisect_right(submitted_versions, thread.version)
            thread.reply_draft = reply_drafts.get(thread.pk, "")
            by_question[thread.question_id].append(thread)
        open_by_question = threads_open_by_question(threads)
        posted = posted or {}
        progress = progress_for_submissions([submission])[submission.pk]
        sections = []
        for section in snapshot.sections:
            state = progress.section_states.get(section.section.id, SectionState.NOT_STARTED)
            questions = [
                {
                    "snapshot": question,
                    "threads": by_question.get(question.question.id, []),
                    "draft": posted.get(question.question.code, ""),
                }
                for question in section.questions
            ]
            sections.append(
                {
                    "section": section.section,
                    "questions": questions,
                    "state": state,
                    "state_label": SectionState.LABELS[state],
                    "open_threads": sum(
                        open_by_question[q["snapshot"].question.id] for q in questions
                    ),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            # The page has its own section navigation: the admin's sidebar would narrow it.
            "is_nav_sidebar_enabled": False,
            "opts": self.opts,
            "title": _("Review: %(country)s") % {"country": submission.country.name},
            "subtitle": submission.edition.title,
            "submission": submission,
            "snapshot": snapshot,
            "sections": sections,
            "threads": threads,
            "general_threads": by_question.get(None, []),
            "general_open": open_by_question[None],
            "open_threads": sum(open_by_question.values()),
            "draft_threads": sum(1 for thread in threads if thread.shared_at is None),
            "general_draft": posted.get("", ""),
            "progress": progress,
            "can_return": action_allowed(submission, Action.RETURN),
            "can_accept": action_allowed(submission, Action.ACCEPT),
            "can_reopen": action_allowed(submission, Action.REOPEN),
            "can_rerender": action_allowed(submission, Action.RERENDER),
            "pdf_url": pdf_download_url(submission) if submission.pdf else None,
            "submission_language_name": language_name(submission.language),
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
            "history_url": reverse("admin:questionnaire_submission_history", args=[submission.pk]),
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
                written = review_comments_add(
                    submission=submission, reviewer=request.user, comments=comments
                )
                if any(comment.shared_at for comment in written):
                    saved = _(
                        "%(count)d comment(s) saved. The country's officials see them now "
                        "and are told by e-mail."
                    )
                else:
                    saved = _(
                        "%(count)d comment(s) saved. The country sees them once you return it."
                    )
                self.message_user(
                    request,
                    saved % {"count": len(written)},
                    messages.SUCCESS if written else messages.WARNING,
                )
        except ReviewError as error:
            # Shown again with what was typed: a refused action never loses a comment.
            return self._review_page(request, submission, posted=comments, error=str(error))
        return self._back(submission)

    THREAD_ACTIONS = {
        "reply": (thread_reply_by_reviewer, _("Your reply is saved.")),
        "resolve": (thread_resolve, _("The thread is resolved.")),
        "reopen": (thread_reopen, _("The thread is open again.")),
    }

    def thread_view(self, request, object_id, thread_id):
        """A reviewer's reply to a thread, or its resolution or reopening (button `action`)."""
        submission = self._submission_or_404(request, object_id)
        if refused := self._post_only(request):
            return refused
        thread = thread_visible_or_404(user=request.user, thread_id=thread_id)
        if thread.submission_id != submission.pk:
            raise Http404
        action = request.POST.get("action", "reply")
        service, done = self.THREAD_ACTIONS.get(action, self.THREAD_ACTIONS["reply"])
        arguments = {"thread": thread, "reviewer": request.user}
        if service is thread_reply_by_reviewer:
            arguments["text"] = request.POST.get("text", "")
        try:
            service(**arguments)
        except ReviewError as refusal:
            # Shown again with the reply as typed: a refused reply is never lost.
            return self._review_page(
                request,
                submission,
                error=str(refusal),
                reply_drafts={thread.pk: arguments.get("text", "")},
            )
        if service is thread_reply_by_reviewer and thread.shared_at is not None:
            done = _("Your reply is saved; the country's officials are told by e-mail.")
        self.message_user(request, done, messages.SUCCESS)
        return redirect(
            reverse("admin:questionnaire_submission_change", args=[submission.pk])
            + f"#thread-{thread.pk}"
        )

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
        if not action_allowed(submission, Action.RERENDER):
            self.message_user(
                request, _("Only a submitted questionnaire has a PDF."), messages.ERROR
            )
            return self._back(submission)
        # Forced: the reviewer asks for a fresh file even if one is stored for this version.
        pdf_services.pdf_render_queue(submission=submission, force=True)
        self.message_user(
            request,
            _("The PDF is being rendered again; it will be ready in a minute."),
            messages.SUCCESS,
        )
        return self._back(submission)
