"""The officials' side of the reviewers' comment threads: one thread's page and its reply.

Replies are also sent from the section pages and the overview (their forms post
here); a refused reply comes back on this page with what was typed, never lost.
One posted after the session expired is kept (session_stash) and shown here,
ready to send, once the same official has signed in again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from questionnaire.access import official_country_id, thread_visible_or_404
from questionnaire.filling.session_stash import stash_pop, stash_save, stash_token
from questionnaire.models import ReviewComment
from questionnaire.review.comments import thread_reply_by_official
from questionnaire.review.services import ReviewError
from questionnaire.review.threads import thread_question_url


def _next_url(request: HttpRequest, thread: ReviewComment) -> str:
    # Back to the page the reply was sent from, on this site only.
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return thread_question_url(thread)


def _stash_step(thread_id: int) -> str:
    return f"thread-{thread_id}"


@login_not_required
@require_http_methods(["GET", "POST"])
def thread_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    """GET: the thread with its reply form. POST: the official's reply (another country's
    thread, or one not shared with the country yet, is a 404)."""
    url = reverse("questionnaire:thread", args=[thread_id])
    if not request.user.is_authenticated:
        if request.method == "POST" and stash_save(request, step=_stash_step(thread_id)):
            messages.warning(
                request,
                _("Your session had expired. Sign in again: your reply is kept, ready to send."),
            )
        return redirect_to_login(url)
    country_id = official_country_id(request.user)  # reviewers answer on the review page
    thread = thread_visible_or_404(user=request.user, thread_id=thread_id)
    error, text, kept = "", "", False
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            thread_reply_by_official(thread=thread, official=request.user, text=text)
        except ReviewError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("Your reply is sent. The reviewers are told by e-mail."))
            return redirect(_next_url(request, thread))
    else:
        stashed = stash_pop(request, step=_stash_step(thread.pk), country_id=country_id)
        if stashed is not None:
            text, kept = stashed.get("text", ""), True
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
            "kept": kept,
            "question_url": thread_question_url(thread),
            "owner_token": stash_token(country_id=country_id, user_id=request.user.pk),
        },
        status=400 if error else 200,
    )
