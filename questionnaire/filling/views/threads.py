"""The officials' side of the reviewers' comment threads: one thread's page and its reply.

Replies are also sent from the section pages and the overview (their forms post
here); a refused reply comes back on this page with what was typed, never lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from questionnaire.access import official_country_id, thread_visible_or_404
from questionnaire.models import ReviewComment
from questionnaire.review.comments import thread_reply_by_official
from questionnaire.review.services import ReviewError
from questionnaire.structure import edition_structure


def thread_question_url(thread: ReviewComment) -> str:
    """Where the official answers the thread's question: its place on the section page
    while the country may edit, the thread's own page otherwise (the section pages are
    closed while submitted or accepted). The whole-submission threads are on the overview."""
    submission = thread.submission
    if thread.question_id is None:
        return reverse("questionnaire:home") + f"#thread-{thread.pk}"
    if not submission.is_editable_by_country:
        return reverse("questionnaire:thread", args=[thread.pk])
    structure = edition_structure(edition=submission.edition)
    section = next(s for s in structure.sections if s.id == thread.question.section_id)
    return (
        reverse("questionnaire:section", kwargs={"code": section.code})
        + f"#question-{thread.question.code}"
    )


def _next_url(request: HttpRequest, thread: ReviewComment) -> str:
    # Back to the page the reply was sent from, on this site only.
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return thread_question_url(thread)


@require_http_methods(["GET", "POST"])
def thread_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    """GET: the thread with its reply form. POST: the official's reply (another country's
    thread, or one not shared with the country yet, is a 404)."""
    official_country_id(request.user)  # reviewers answer on the review page: 404 here
    thread = thread_visible_or_404(user=request.user, thread_id=thread_id)
    error, text = "", ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            thread_reply_by_official(thread=thread, official=request.user, text=text)
        except ReviewError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("Your reply is sent. The reviewers are told by e-mail."))
            return redirect(_next_url(request, thread))
    return render(
        request,
        "questionnaire/thread.html",
        {
            "thread": thread,
            "submission": thread.submission,
            "edition": thread.submission.edition,
            "country": thread.submission.country,
            "error": error,
            "text": text,
            "question_url": thread_question_url(thread),
        },
        status=400 if error else 200,
    )
