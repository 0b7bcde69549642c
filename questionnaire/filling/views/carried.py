"""Starting a new edition from the previous one's answers, and confirming carried-over
answers (one click per question or per section): POST only, the official's own country."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from questionnaire.filling.confirming import carried_confirm
from questionnaire.filling.errors import SubmissionError, SubmissionLockedError
from questionnaire.filling.views.current import official_submission
from questionnaire.selectors import section_questions


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Create the country's draft of the current edition: prefilled from its previous answers
    (filling.services.submission_get_or_create). A draft already there is left as it is."""
    submission = official_submission(request)
    if submission.pk is None:
        submission = official_submission(request, for_saving=True)
        carried = submission.answers.filter(carried_from_edition__isnull=False).count()
        if carried:
            messages.success(
                request,
                ngettext(
                    "%(count)d answer was carried over from your previous submission."
                    " Confirm it or change it.",
                    "%(count)d answers were carried over from your previous submission."
                    " Confirm or change each of them.",
                    carried,
                )
                % {"count": carried},
            )
    return redirect("questionnaire:home")


@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm the carried-over answer of the posted `question`, or else every one of the
    section `code` (the section's button); back to the section page."""
    submission = official_submission(request)
    questions = section_questions(edition=submission.edition, code=code)
    url = reverse("questionnaire:section", kwargs={"code": code})
    question_code = request.POST.get("question", "")
    if question_code:
        questions = [question for question in questions if question.code == question_code]
        url += f"#question-{question_code}"
    if submission.pk is None or not questions:
        return redirect(url)
    try:
        confirmed = carried_confirm(submission=submission, user=request.user, questions=questions)
    except SubmissionLockedError as error:
        messages.error(request, error.message)
        return redirect("questionnaire:submission")
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect(url)
    if confirmed:
        messages.success(
            request,
            ngettext(
                "%(count)d carried-over answer confirmed.",
                "%(count)d carried-over answers confirmed.",
                len(confirmed),
            )
            % {"count": len(confirmed)},
        )
    return redirect(url)
