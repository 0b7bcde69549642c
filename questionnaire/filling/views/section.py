"""A section of the questionnaire: its page, its Back / Save / Continue, and the autosave.

Writes go through questionnaire.filling.services; the draft row is created by
the first save, never by opening the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.time_zones import time_with_zone
from questionnaire.carried import carried_for_questions, carry_over_year
from questionnaire.filling.errors import (
    AnswerInputError,
    AnswerLimitError,
    EditionClosedError,
    StaleVersionError,
    SubmissionLockedError,
)
from questionnaire.filling.field_problems import problems_json, problems_to_show, values_as_saved
from questionnaire.filling.forms import SectionForm, row_to_remove
from questionnaire.filling.services import answers_save
from questionnaire.filling.session_stash import stash_pop, stash_save, stash_token
from questionnaire.filling.steps import FlowContext, SectionStep, section_context, step_neighbours
from questionnaire.filling.views.current import (
    official_submission,
    posted_for_another_edition,
    section_step_of,
)
from questionnaire.filling.views.posted import json_body, version_parsed
from questionnaire.selectors import section_questions

ACTIONS = {"back", "save", "continue"}


def _saved_label(moment) -> str:
    # Every time shown says its zone, the official's own (UserTimeZoneMiddleware): the
    # autosave status (static/js/filling.js) shows this same label, never the browser's clock.
    return time_with_zone(moment)


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
    questions = step.questions(context)
    form.annotate(
        problems=problems_to_show(questions, context.values) if problems is None else problems,
        errors=errors,
        comments={
            question.id: context.comments_by_question.get(question.code, [])
            for question in questions
        },
        conflicts=conflicts,
    )
    submission = context.submission
    carried = carried_for_questions(
        submission=submission, questions=questions, values=context.values
    )
    for item in form.questions:
        item.carried = carried.get(item.question.code)
    waiting = [
        item
        for item in form.questions
        if item.shown and item.carried and item.carried.awaits_confirmation
    ]
    error_summary = [
        {"number": item.question.display_number, **placed}
        for item in form.questions
        if item.shown
        for placed in item.placed
    ]
    previous, following = step_neighbours(steps, step)
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
            "error_summary": error_summary,
            "conflicts": conflicts,
            "general_comments": context.general_comments,
            # Their reply forms sit after the section's form (a form cannot hold another).
            "section_threads": [
                thread
                for question in questions
                for thread in context.comments_by_question.get(question.code, [])
            ],
            "carried_waiting": waiting,
            "confirm_url": reverse(
                "questionnaire:carried_confirm", kwargs={"code": step.identifier}
            ),
        },
        status=status,
    )


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

    if request.method == "POST":
        with transaction.atomic():
            # The row locked and read by one statement, the answers read after it: the
            # save hands both to answers_save, which reads neither again.
            submission = official_submission(request, locked=True)
            context = section_context(submission=submission, edition=submission.edition, code=code)
            steps, step = section_step_of(context, code)
            if not submission.is_editable_by_country:
                messages.error(request, SubmissionLockedError.message)
                return redirect("questionnaire:submission")
            return _section_save(
                request, context=context, steps=steps, step=step, data=request.POST, locked=True
            )

    submission = official_submission(request)
    context = section_context(submission=submission, edition=submission.edition, code=code)
    steps, step = section_step_of(context, code)
    if not submission.is_editable_by_country:
        return redirect("questionnaire:submission")
    if submission.pk is None and carry_over_year(
        edition=submission.edition, country_id=submission.country_id
    ):
        # The draft starts from the previous edition's answers (the overview's button): a
        # form shown empty here would hide them, and its save would replace them.
        messages.info(request, _("Start from your previous answers first: they are carried over."))
        return redirect("questionnaire:home")

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
    locked: bool = False,
) -> HttpResponse:
    """`locked`: the caller locked the submission and read `context` in its open transaction."""
    submission = context.submission
    if posted_for_another_edition(data, edition=submission.edition):
        messages.error(request, EditionClosedError.message)
        return redirect("questionnaire:home")
    # The answers read with the context, when they were read under the lock.
    stored_answers = context.answers if locked else None
    if submission.pk is None:
        # The country's first save creates its draft (opening the page did not); another
        # official may have created it first, with answers: answers_save reads them.
        submission = context.submission = official_submission(
            request, for_saving=True, locked=locked
        )
        stored_answers = None
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
    base_version = version_parsed(data.get("base_version"))
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
        # A savepoint: a refused save is undone alone, and the page that says why is
        # rendered in the same transaction.
        with transaction.atomic():
            saved = answers_save(
                submission=submission,
                user=request.user,
                values=form.raw_values(),
                base_version=base_version,
                known_questions=questions,
                already_locked=locked,
                stored_answers=stored_answers,
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

    attention = len(
        problems_to_show(questions, values_as_saved(questions, form.raw_values(), context.values))
    )
    leaving = action in {"continue", "back"} and not (add_row or remove_row)
    _say_saved(
        request,
        saved=saved,
        attention=attention,
        from_stash=from_stash,
        section=step.section if leaving else None,
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
    # With problems, the page opens at its error summary (static/js/filling.js focuses it).
    return redirect(f"{step.url}#error-summary" if attention else step.url)


def _say_saved(request, *, saved, attention: int, from_stash: bool, section=None) -> None:
    """The message after a save. One that stored a wrong value (or left a started question
    incomplete) is no plain success: it says how many answers need attention, and in which
    section when the official moves on to another page."""
    time = _saved_label(saved.updated_at)
    if attention and section is not None:
        message = ngettext(
            "Saved, %(count)d answer in section %(section)s needs attention (%(time)s).",
            "Saved, %(count)d answers in section %(section)s need attention (%(time)s).",
            attention,
        ) % {"count": attention, "section": section.numeral, "time": time}
        messages.warning(request, message)
    elif attention:
        message = ngettext(
            "Saved, %(count)d answer needs attention (%(time)s).",
            "Saved, %(count)d answers need attention (%(time)s).",
            attention,
        ) % {"count": attention, "time": time}
        messages.warning(request, message)
    elif from_stash:
        messages.success(
            request,
            _("What you typed before signing in again was saved at %(time)s.") % {"time": time},
        )
    else:
        messages.success(request, _("Saved at %(time)s.") % {"time": time})


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
    try:
        with transaction.atomic():
            # The row locked and read by one statement; a refusal raised by answers_save
            # ends this transaction (no savepoint: nothing else is written here).
            return _autosave_locked(request, code)
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


def _autosave_locked(request: HttpRequest, code: str) -> JsonResponse:
    """The autosave within the caller's transaction: lock, read, check, save."""
    submission = official_submission(
        request, for_saving=True, locked=True, posted_edition=request.POST.get("edition", "")
    )

    if request.content_type == "application/json":
        # A JSON autosave needs only the section's questions and the stored version
        # (answers_save reads the answers it changes): no flow context, no answers read here.
        questions = section_questions(edition=submission.edition, code=code)
        stored_answers = None
        try:
            payload = json_body(request.body)
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
        base_version = version_parsed(payload.get("base_version"))
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
        _steps, step = section_step_of(context, code)
        questions = step.questions(context)
        form = SectionForm(questions=questions, values=context.values, data=request.POST)
        base_version = version_parsed(request.POST.get("base_version"))
        if not form.is_valid():
            return _json_error(
                gettext_now("Nothing was saved: the page sent was not complete."),
                400,
                code=NOT_SAVED,
                details=form.form_errors,
            )
        values = form.raw_values()
        # Read after the lock, in this transaction: answers_save does not read them again.
        stored_answers = context.answers
        stored = context.values
    if base_version is None:
        return _json_error(
            gettext_now("Nothing was saved: the page's version is missing: reload the page."),
            400,
            code=NOT_SAVED,
        )

    saved = answers_save(
        submission=submission,
        user=request.user,
        values=values,
        base_version=base_version,
        known_questions=questions,
        already_locked=True,
        stored_answers=stored_answers,
    )
    answer = {
        "version": saved.version,
        "saved_at": saved.updated_at.isoformat(),
        "saved_at_display": _saved_label(saved.updated_at),
    }
    if request.content_type != "application/json":
        # The page's own form sent the whole section: say which problems remain, at which
        # field, for filling.js to update the messages and the error summary in place.
        # (A JSON save may send some questions only, so their shown state is not known.)
        answer["problems"] = problems_json(
            questions, problems_to_show(questions, values_as_saved(questions, values, stored))
        )
    return JsonResponse(answer)


# The autosave's refusals carry a code (static/js/filling.js decides by it, never by the
# message, which is in the official's language): NOT_SAVED for a request the page should
# not have sent, "input" for a value refused, "conflict", "locked", "too_large", "expired".
NOT_SAVED = "not_saved"


def _json_error(message: str, status: int, *, code: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)
