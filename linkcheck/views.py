"""The link checker's two actions: an official confirms links, a reviewer checks them now."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import official_country_id, staff_required
from linkcheck.services import CHECK_SUBMISSION_TASK, links_confirm
from questionnaire.models import Submission
from questionnaire.queueing import task_send
from questionnaire.selectors import submission_current_for_country_id


@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Record the official's "I confirm this link is correct" for the ticked links."""
    submission = submission_current_for_country_id(country_id=official_country_id(request.user))
    if submission is None:
        raise Http404
    if not submission.is_editable_by_country:
        messages.error(request, _("The questionnaire was submitted: it can no longer be changed."))
        return redirect("questionnaire:submission")
    ids = [value for value in request.POST.getlist("link") if value.isascii() and value.isdigit()]
    if not ids:
        messages.error(request, _("Tick at least one link to confirm it."))
    else:
        count = links_confirm(submission=submission, user=request.user, link_ids=ids)
        messages.success(
            request, _("Your confirmation was recorded (%(count)d).") % {"count": count}
        )
    return redirect(reverse("questionnaire:review") + "#links")


@require_POST
@staff_required
def check_now(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A reviewer's "Check the links now": every link of the submission, fetched again."""
    submission = get_object_or_404(Submission, pk=submission_id)
    transaction.on_commit(
        lambda: task_send(CHECK_SUBMISSION_TASK, submission_id=submission.pk, force=True),
        robust=True,
    )
    messages.success(
        request, _("The links are being checked; reload this page in a minute to see the results.")
    )
    return redirect("admin:questionnaire_submission_change", submission.pk)
