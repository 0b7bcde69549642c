"""Country-side pages: the overview, the section steps, autosave, review, consent, submit.

No URL here carries a submission id: the submission is always the signed-in
official's country's (accounts.access.official_country), so another country's
answers cannot even be named. Writes go through questionnaire.filling.services.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.html import escape
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import is_reviewer, official_country, official_country_id
from questionnaire.filling.forms import ConsentForm, SectionForm, VersionForm, row_to_remove
from questionnaire.filling.services import (
    CONSENT_MISSING,
    AnswerInputError,
    AnswerLimitError,
    StaleVersionError,
    SubmissionIncompleteError,
    SubmissionLockedError,
    SubmissionNotAllowedError,
    answers_save,
    consent_set,
    submission_get_or_create,
    submission_submit,
    submit_side_effects_waiting,
)
from questionnaire.filling.session_stash import stash_pop, stash_save, stash_token
from questionnaire.filling.steps import (
    FlowContext,
    ReviewStep,
    SectionState,
    SectionStep,
    flow_context,
    flow_steps,
    section_context,
    step_neighbours,
)
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.selectors import (
    edition_current,
    section_questions,
    submission_current_for_country_id,
    submission_for_country,
    submission_review_outcome,
    submission_snapshot,
)

ACTIONS = {"back", "save", "continue"}
# Contributors cannot give the authorization: they are told who can.
CONSENT_MISSING_FOR_CONTRIBUTOR = _(
    "The focal point has not yet given or refused the authorization to publish."
)


# What static/js/filling.js says; "%s" is replaced by the time or the error.
def home(request):
    """Staff land in the review console; officials on their country's overview."""
    if is_reviewer(request.user):
        return redirect("admin:index")
    if request.user.is_staff or not request.user.country_id:
        return render(request, "questionnaire/no_country.html", status=403)
    return overview(request)


def overview(request):
    country = official_country(request.user)
    edition = edition_current()
    submission = submission_for_country(edition=edition, country=country)
    context = flow_context(submission=submission, edition=edition)
    steps = flow_steps(context)
    sections = [
        {
            "step": step,
            "section": step.section,
            "state": step.state(context),
            "state_label": SectionState.LABELS[step.state(context)],
            "question_count": len(step.questions(context)),
        }
        for step in steps
        if isinstance(step, SectionStep)
    ]
    done, total = context.progress
    return render(
        request,
        "questionnaire/overview.html",
        {
            "country": country,
            "edition": edition,
            "sections": sections,
            "submission": submission,
            "flow": context,
            "progress_done": done,
            "progress_total": total,
            "is_editable": submission is None or submission.is_editable_by_country,
            "review_outcome": submission_review_outcome(submission=submission),
        },
    )


# --- Helpers -----------------------------------------------------------------


def _flow_for(request: HttpRequest) -> tuple[Submission, FlowContext]:
    """The signed-in official's submission (started if needed) and its flow context."""
    country = official_country(request.user)
    edition = edition_current()
    submission = submission_get_or_create(edition=edition, country=country, user=request.user)
    return submission, flow_context(submission=submission, edition=edition)


def _official_submission(request: HttpRequest) -> Submission:
    """The signed-in official's submission (started if needed), with its edition and country.

    One query once the country has started (the common case on every section
    page and autosave) instead of reading the edition, the country and then
    the submission.
    """
    submission = submission_current_for_country_id(country_id=official_country_id(request.user))
    if submission is None:
        submission = submission_get_or_create(
            edition=edition_current(), country=official_country(request.user), user=request.user
        )
    # The page header shows the user's country: reuse the row read with the submission.
    request.user.country = submission.country
    return submission


def _section_flow(request: HttpRequest, code: str) -> tuple[Submission, FlowContext]:
    """The official's submission and a FlowContext holding only section `code`'s questions:
    all a section page or its save needs (404 for no such section)."""
    submission = _official_submission(request)
    return submission, section_context(submission=submission, edition=submission.edition, code=code)


def _section_step(context: FlowContext, code: str) -> tuple[list, SectionStep]:
    steps = flow_steps(context)
    for step in steps:
        if isinstance(step, SectionStep) and step.identifier == code:
            return steps, step
    raise Http404


# The largest version a PositiveIntegerField holds on every database: a bigger one was
# never served by a page, and would fail in the database rather than as bad input.
MAX_VERSION = 2_147_483_647


def _parse_version(raw: Any) -> int | None:
    """The page's version from a form field or a JSON value; None for anything else.

    A JSON number may be a float (1.0 from a script is fine); true/false, fractions,
    Infinity and 1e999 are not versions (int() of an infinite float raises OverflowError).
    """
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        return None
    try:
        version = int(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    return version if 1 <= version <= MAX_VERSION else None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: JSON has no infinity, nor can the database store it
        raise ValueError(f"{text} is too large")
    return number


def _json_body(body: bytes) -> Any:
    """The JSON document of an autosave; ValueError for anything that is not plain JSON.

    Refuses NaN/Infinity and numbers too large for a float (they reach the
    answers otherwise), and bodies nested past the interpreter's recursion
    limit (json.loads raises RecursionError, which is not a ValueError).
    """
    try:
        return json.loads(
            body.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _saved_label(moment) -> str:
    # Every time shown says its zone: the portal's clock is UTC (settings.TIME_ZONE).
    zone = timezone.get_current_timezone_name()
    return f"{time_format(timezone.localtime(moment), 'TIME_FORMAT')} {zone}"


def _render_section(
    request: HttpRequest,
    *,
    context: FlowContext,
    steps: list,
    step: SectionStep,
    form: SectionForm,
    base_version: int,
    status: int = 200,
    problems: dict | None = None,
    errors: dict | None = None,
    conflicts=(),
    form_errors: list[str] | None = None,
) -> HttpResponse:
    form.annotate(
        problems=step.problems(context) if problems is None else problems,
        errors=errors,
        comments={
            question.id: context.comments_by_question.get(question.code, [])
            for question in step.questions(context)
        },
        conflicts=conflicts,
    )
    previous, following = step_neighbours(steps, step)
    submission = context.submission
    return render(
        request,
        "questionnaire/section.html",
        {
            "edition": submission.edition,
            "country": submission.country,
            "submission": submission,
            "section": step.section,
            "step": step,
            "steps": [s for s in steps if isinstance(s, SectionStep)],
            "previous": previous,
            "following": following,
            "form": form,
            "base_version": base_version,
            "owner_token": stash_token(country_id=submission.country_id, user_id=request.user.pk),
            "autosave_url": reverse("questionnaire:autosave", kwargs={"code": step.identifier}),
            "form_errors": form_errors or [],
            "conflicts": conflicts,
            "general_comments": context.general_comments,
        },
        status=status,
    )


# --- The section steps -------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def section_step(request: HttpRequest, code: str) -> HttpResponse:
    """A section of the questionnaire: GET shows its form, POST saves it (Back / Save / Continue).

    A POST that arrives after the session expired is kept in the session and
    applied after the official signs in again (see session_stash).
    """
    if not request.user.is_authenticated:
        if request.method == "POST" and stash_save(request, step=code):
            messages.warning(
                request,
                _(
                    "Your session had expired. Sign in again: what you typed is kept "
                    "and will be saved when you are back."
                ),
            )
        return redirect_to_login(reverse("questionnaire:section", kwargs={"code": code}))

    submission, context = _section_flow(request, code)
    steps, step = _section_step(context, code)
    if not submission.is_editable_by_country:
        if request.method == "POST":
            messages.error(request, SubmissionLockedError.message)
        return redirect("questionnaire:submission")

    if request.method == "POST":
        return _section_save(request, context=context, steps=steps, step=step, data=request.POST)

    stashed = stash_pop(request, step=code, country_id=submission.country_id)
    if stashed is not None:
        return _section_save(
            request, context=context, steps=steps, step=step, data=stashed, from_stash=True
        )
    form = SectionForm(
        questions=step.questions(context),
        values=context.values,
        add_row=request.GET.get("add"),
    )
    return _render_section(
        request,
        context=context,
        steps=steps,
        step=step,
        form=form,
        base_version=submission.version,
    )


def _section_save(
    request: HttpRequest,
    *,
    context: FlowContext,
    steps: list,
    step: SectionStep,
    data,
    from_stash: bool = False,
) -> HttpResponse:
    submission = context.submission
    questions = step.questions(context)
    probe = SectionForm(questions=questions, values=context.values)
    remove_row = row_to_remove(data.get("remove_row", ""), probe.link_prefixes)
    add_row = data.get("add_row", "")
    add_row = add_row if add_row in probe.link_prefixes else ""
    if remove_row:
        data = data.copy()
        data[f"{remove_row}-DELETE"] = "on"
    action = data.get("action", "save")
    action = action if action in ACTIONS else "save"
    base_version = _parse_version(data.get("base_version"))
    form = SectionForm(questions=questions, values=context.values, data=data)

    render_args = {
        "context": context,
        "steps": steps,
        "step": step,
        "form": form,
        "base_version": base_version or submission.version,
    }
    if base_version is None or not form.is_valid():
        not_saved = gettext_now("Nothing was saved: the page sent was not complete.")
        return _render_section(
            request, **render_args, status=400, form_errors=[not_saved, *form.form_errors]
        )
    try:
        saved = answers_save(
            submission=submission,
            user=request.user,
            values=form.raw_values(),
            base_version=base_version,
            known_questions=questions,
        )
    except StaleVersionError as error:
        render_args["base_version"] = error.current_version
        return _render_section(
            request,
            **render_args,
            status=200 if from_stash else 409,
            conflicts=error.changes,
            form_errors=[error.message],
        )
    except AnswerLimitError as error:
        return _render_section(
            request,
            **render_args,
            status=400,
            errors=error.problems,
            form_errors=[str(error.message)],
        )
    except AnswerInputError as error:
        return _render_section(request, **render_args, status=400, form_errors=[error.message])
    except SubmissionLockedError as error:
        messages.error(request, error.message)
        return redirect("questionnaire:submission")

    if from_stash:
        messages.success(
            request,
            _("What you typed before signing in again was saved at %(time)s.")
            % {"time": _saved_label(saved.updated_at)},
        )
    else:
        messages.success(
            request, _("Saved at %(time)s.") % {"time": _saved_label(saved.updated_at)}
        )
    previous, following = step_neighbours(steps, step)
    if add_row:
        return redirect(f"{step.url}?add={add_row}#{add_row}")
    if remove_row:
        return redirect(f"{step.url}#{remove_row.rsplit('-', 1)[0]}")
    if action == "continue" and following is not None:
        return redirect(following.url)
    if action == "back":
        return redirect(previous.url if previous is not None else reverse("questionnaire:home"))
    return redirect(step.url)


@login_not_required
@require_POST
def section_autosave(request: HttpRequest, code: str) -> JsonResponse:
    """Save a section in the background: form-encoded (the page's own form) or JSON.

    JSON is {"base_version": n, "values": {question code: {part name: raw}}}.
    Answers {"version", "saved_at"}; 409 with the conflicting changes when the
    base version is stale; 400 for bad input; 413 for a body beyond the limit;
    401 (the form kept for after sign-in) when the session expired.
    """
    if not request.user.is_authenticated:
        is_json = request.content_type == "application/json"
        kept = not is_json and stash_save(request, step=code)
        return JsonResponse(
            {
                "error": gettext_now(
                    "Your session has expired: sign in again. What you typed is kept."
                ),
                "login_url": redirect_to_login(
                    reverse("questionnaire:section", kwargs={"code": code})
                ).url,
                "kept": kept,
                "code": "expired",
            },
            status=401,
        )
    submission = _official_submission(request)

    if request.content_type == "application/json":
        # A JSON autosave needs only the section's questions and the stored version
        # (answers_save reads the answers it changes): no flow context, no answers read here.
        questions = section_questions(edition=submission.edition, code=code)
        try:
            payload = _json_body(request.body)
        except RequestDataTooBig:
            return _json_error(
                gettext_now("What you sent is too large to save at once."), 413, code="too_large"
            )
        except ValueError:  # UnicodeDecodeError is one too
            return _json_error(
                gettext_now("Nothing was saved: the data sent could not be read."),
                400,
                code=NOT_SAVED,
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("values"), dict):
            return _json_error(
                gettext_now("Nothing was saved: send {'base_version': n, 'values': {...}}."),
                400,
                code=NOT_SAVED,
            )
        base_version = _parse_version(payload.get("base_version"))
        values = payload["values"]
        on_page = {question.code for question in questions}
        if set(values) - on_page:
            return _json_error(
                gettext_now("Nothing was saved: some questions are not in this section."),
                400,
                code=NOT_SAVED,
            )
    else:
        context = section_context(submission=submission, edition=submission.edition, code=code)
        _steps, step = _section_step(context, code)
        questions = step.questions(context)
        form = SectionForm(questions=questions, values=context.values, data=request.POST)
        base_version = _parse_version(request.POST.get("base_version"))
        if not form.is_valid():
            return _json_error(
                gettext_now("Nothing was saved: the page sent was not complete."),
                400,
                code=NOT_SAVED,
                details=form.form_errors,
            )
        values = form.raw_values()
    if base_version is None:
        return _json_error(
            gettext_now("Nothing was saved: the page's version is missing: reload the page."),
            400,
            code=NOT_SAVED,
        )

    try:
        saved = answers_save(
            submission=submission,
            user=request.user,
            values=values,
            base_version=base_version,
            known_questions=questions,
        )
    except StaleVersionError as error:
        return JsonResponse(
            {
                "error": str(error.message),
                "code": "conflict",
                "version": error.current_version,
                "conflicts": [
                    {
                        "question": change.question_code,
                        "number": change.question_number,
                        "who": change.actor_name,
                        "at": change.at.isoformat(),
                    }
                    for change in error.changes
                ],
            },
            status=409,
        )
    except AnswerLimitError as error:
        return _json_error(str(error.message), 400, code="input", problems=error.problems)
    except AnswerInputError as error:
        return _json_error(str(error.message), 400, code="input")
    except SubmissionLockedError as error:
        return _json_error(str(error.message), 409, code="locked", locked=True)
    return JsonResponse(
        {
            "version": saved.version,
            "saved_at": saved.updated_at.isoformat(),
            "saved_at_display": _saved_label(saved.updated_at),
        }
    )


# The autosave's refusals carry a code (static/js/filling.js decides by it, never by the
# message, which is in the official's language): NOT_SAVED for a request the page should
# not have sent, "input" for a value refused, "conflict", "locked", "too_large", "expired".
NOT_SAVED = "not_saved"


def _json_error(message: str, status: int, *, code: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


# --- Review, consent, submit, read-only ---------------------------------------


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
        problems = dict(context.problems)
        if not submission.consent:
            problems["consent"] = [
                str(
                    CONSENT_MISSING
                    if request.user.is_focal_point
                    else CONSENT_MISSING_FOR_CONTRIBUTOR
                )
            ]
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
            "consent_problems": problems.get("consent", []),
            "consent_form": consent_form
            or ConsentForm(initial={"consent": submission.consent or None}),
            "can_submit": request.user.is_focal_point,
            # consent_set's rule: contributors read the choice, the focal point makes it.
            "can_consent": request.user.is_focal_point,
            "steps": [s for s in flow_steps(context) if isinstance(s, SectionStep)],
            "review_step": ReviewStep(),
        },
        status=status,
    )


@require_GET
def review(request: HttpRequest) -> HttpResponse:
    submission, context = _flow_for(request)
    if not submission.is_editable_by_country:
        return redirect("questionnaire:submission")
    return _render_review(request, submission=submission, context=context)


@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    """The focal point's choice about publication; contributors only read it (403, like submit)."""
    submission, context = _flow_for(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _render_review(
            request, submission=submission, context=context, consent_form=form, status=400
        )
    try:
        consent_set(submission=submission, user=request.user, consent=form.cleaned_data["consent"])
    except SubmissionNotAllowedError as error:
        messages.error(request, error.message)
        return _render_review(request, submission=submission, context=context, status=403)
    except SubmissionLockedError as error:
        messages.error(request, error.message)
        return redirect("questionnaire:submission")
    messages.success(request, _("Your choice about publication was recorded."))
    return redirect(reverse("questionnaire:review") + "#consent")


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    submission, context = _flow_for(request)
    form = VersionForm(request.POST)
    base_version = form.cleaned_data["base_version"] if form.is_valid() else None
    try:
        submitted = submission_submit(
            submission=submission, user=request.user, base_version=base_version
        )
    except SubmissionNotAllowedError as error:
        messages.error(request, error.message)
        return _render_review(request, submission=submission, context=context, status=403)
    except SubmissionLockedError as error:
        messages.error(request, error.message)
        return redirect("questionnaire:submission")
    except StaleVersionError:
        messages.error(
            request,
            _("The answers changed since you opened this page. Check them again, then submit."),
        )
        return redirect("questionnaire:review")
    except SubmissionIncompleteError as error:
        messages.error(request, error.message)
        return _render_review(
            request, submission=submission, context=context, problems=error.problems, status=400
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
    edition = edition_current()
    submission = submission_for_country(edition=edition, country=country)
    if submission is None:
        return redirect("questionnaire:home")
    context = flow_context(submission=submission, edition=edition)
    return render(
        request,
        "questionnaire/submission.html",
        {
            "edition": edition,
            "country": country,
            "submission": submission,
            "snapshot": submission_snapshot(submission=submission),
            "comments_by_question": context.comments_by_question,
            "general_comments": context.general_comments,
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
