"""The end of the flow: review, the publication consent given with the submit, and the
submission's pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import country_focal_points
from questionnaire.access import official_country
from questionnaire.carried import carried_problems
from questionnaire.filling.errors import (
    CONSENT_MISSING,
    StaleVersionError,
    SubmissionError,
    SubmissionIncompleteError,
    SubmissionLockedError,
    SubmissionNotAllowedError,
)
from questionnaire.filling.forms import ConsentForm, VersionForm
from questionnaire.filling.steps import (
    FlowContext,
    ReviewStep,
    SectionStep,
    flow_context,
    flow_steps,
)
from questionnaire.filling.submitting import (
    submission_consent_and_submit,
    submit_side_effects_waiting,
)
from questionnaire.filling.views.current import official_flow
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.selectors import (
    edition_current,
    submission_for_country,
    submission_past_for_country,
    submission_snapshot,
)

# Contributors cannot give the authorization: they are told who can.
CONSENT_MISSING_FOR_CONTRIBUTOR = _(
    "The focal point has not yet given or refused the authorization to publish."
)


def _render_review(
    request: HttpRequest,
    *,
    submission: Submission,
    context: FlowContext,
    consent_form: ConsentForm | None = None,
    problems: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    snapshot = submission_snapshot(submission=submission)
    if problems is None:
        problems = {code: list(found) for code, found in context.problems.items()}
        # What submission_submit refuses too: carried-over answers awaiting confirmation.
        for code, found in carried_problems(
            submission=submission, questions=context.questions, values=context.values
        ).items():
            problems.setdefault(code, []).extend(found)
    question_problems = [
        {
            "question": question,
            "section": section,
            "messages": problems[question.code],
            "url": reverse("questionnaire:section", kwargs={"code": section.code})
            + f"#question-{question.code}",
        }
        for section in context.sections
        for question in context.questions_by_section[section.id]
        if question.code in problems
    ]
    is_focal_point = request.user.is_focal_point
    # The focal point chooses the authorization in the submit form itself; it is a step
    # left to do only while the answers still block submitting, or for a contributor.
    consent_problems = []
    if not submission.consent and (question_problems or not is_focal_point):
        consent_problems = [
            str(CONSENT_MISSING if is_focal_point else CONSENT_MISSING_FOR_CONTRIBUTOR)
        ]
    return render(
        request,
        "questionnaire/review.html",
        {
            "edition": submission.edition,
            "country": submission.country,
            "submission": submission,
            "snapshot": snapshot,
            "comments_by_question": context.comments_by_question,
            "general_comments": context.general_comments,
            "question_problems": question_problems,
            "consent_problems": consent_problems,
            "consent_form": consent_form
            or ConsentForm(initial={"consent": submission.consent or None}),
            # submission_submit's rule (the focal point), offered only once nothing blocks it.
            "is_focal_point": is_focal_point,
            "can_submit": is_focal_point and not question_problems,
            # A contributor is told whom to ask.
            "focal_points": (
                [] if is_focal_point else list(country_focal_points(country=submission.country))
            ),
            "steps": [s for s in flow_steps(context) if isinstance(s, SectionStep)],
            "review_step": ReviewStep(),
        },
        status=status,
    )


def _refused(
    request: HttpRequest, error: SubmissionError, *, submission: Submission, context: FlowContext
) -> HttpResponse:
    """A refused submit: the review page again (403) for a contributor, the read-only page
    once the submission is locked (or its edition closed)."""
    messages.error(request, error.message)
    if isinstance(error, SubmissionLockedError):
        return redirect("questionnaire:submission")
    return _render_review(request, submission=submission, context=context, status=403)


@require_GET
def review(request: HttpRequest) -> HttpResponse:
    submission, context = official_flow(request)
    if not submission.is_editable_by_country:
        return redirect("questionnaire:submission")
    return _render_review(request, submission=submission, context=context)


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """The focal point's one action: the authorization to publish (granted or refused) and
    the submit, recorded together or not at all."""
    submission, context = official_flow(request, for_saving=True)
    version_form = VersionForm(request.POST)
    base_version = version_form.cleaned_data["base_version"] if version_form.is_valid() else None
    consent_form = ConsentForm(request.POST)
    consent = consent_form.cleaned_data["consent"] if consent_form.is_valid() else ""
    try:
        submitted = submission_consent_and_submit(
            submission=submission, user=request.user, consent=consent, base_version=base_version
        )
    except (SubmissionNotAllowedError, SubmissionLockedError) as error:
        return _refused(request, error, submission=submission, context=context)
    except StaleVersionError:
        messages.error(
            request,
            _("The answers changed since you opened this page. Check them again, then submit."),
        )
        return redirect("questionnaire:review")
    except SubmissionIncompleteError as error:
        messages.error(request, error.message)
        return _render_review(
            request,
            submission=submission,
            context=context,
            consent_form=consent_form,
            problems={code: found for code, found in error.problems.items() if code != "consent"},
            status=400,
        )
    messages.success(request, _("Submitted. The PDF will be prepared shortly."))
    if submit_side_effects_waiting(submission=submitted):
        # The outbox keeps them; beat's sweeper sends them once the broker answers.
        messages.warning(
            request,
            _(
                "The e-mail confirmation and the PDF will follow when the portal's background"
                " system is back; your answers are safely submitted."
            ),
        )
    return redirect("questionnaire:submission")


@require_GET
def submission_view(request: HttpRequest) -> HttpResponse:
    """The country's submission as read-only pages (what was sent, or the draft so far)."""
    country = official_country(request.user)
    submission = submission_for_country(edition=edition_current(), country=country)
    if submission is None:
        return redirect("questionnaire:home")
    return _render_submission(request, submission=submission)


@require_GET
def past_submission_view(request: HttpRequest, edition_code: str) -> HttpResponse:
    """The country's submission to a closed or archived edition, read-only, with its PDF.

    404 for an open, planned or unknown edition, and for one the country never started
    (another country's cannot even be named: the country is the official's own)."""
    submission = submission_past_for_country(
        country=official_country(request.user), edition_code=edition_code
    )
    return _render_submission(request, submission=submission, past=True)


def _render_submission(
    request: HttpRequest, *, submission: Submission, past: bool = False
) -> HttpResponse:
    context = flow_context(submission=submission, edition=submission.edition)
    return render(
        request,
        "questionnaire/submission.html",
        {
            "edition": submission.edition,
            "country": submission.country,
            "submission": submission,
            "snapshot": submission_snapshot(submission=submission),
            "comments_by_question": context.comments_by_question,
            "general_comments": context.general_comments,
            "past": past,
        },
    )


# What the officials' pages say when the PDF of a submission could not be rendered.
PDF_FAILED_MESSAGE = _(
    "The PDF of your submission could not be prepared. UN DESA has been told and will "
    "prepare it again; your answers are submitted."
)


@require_GET
@never_cache
def submission_pdf_status(request: HttpRequest) -> JsonResponse:
    """Whether the PDF of the official's last submission is stored, for static/js/pdf-status.js.

    {"state": "pending" | "ready" | "failed", "html": what to show in its place}; the
    country's own submission only (none: 404).
    """
    submission = submission_for_country(
        edition=edition_current(), country=official_country(request.user)
    )
    if submission is None or submission.submitted_version is None:
        raise Http404
    if submission.has_current_pdf:
        html = render_to_string("pdf/_download_link.html", {"submission": submission}, request)
        return JsonResponse({"state": "ready", "html": html})
    failed = submission.events.filter(
        kind=SubmissionEvent.Kind.PDF_FAILED, version=submission.submitted_version
    ).exists()
    if failed:
        return JsonResponse({"state": "failed", "html": escape(PDF_FAILED_MESSAGE)})
    return JsonResponse({"state": "pending", "html": ""})
