"""The officials' landing page: their country's overview of the sections and progress."""

from __future__ import annotations

from django.shortcuts import redirect, render

from questionnaire.access import is_reviewer, official_country
from questionnaire.carried import carried_waiting_by_section, carry_over_year
from questionnaire.filling.session_stash import stash_token
from questionnaire.filling.steps import SectionState, SectionStep, flow_context, flow_steps
from questionnaire.review.threads import thread_question_url
from questionnaire.selectors import (
    edition_current,
    submission_for_country,
    submission_review_outcome,
    submissions_past_for_country,
)


def home(request):
    """Staff land in the review console; officials on their country's overview."""
    if is_reviewer(request.user):
        return redirect("admin:index")
    if request.user.is_staff or not request.user.country_id:
        return render(request, "questionnaire/no_country.html", status=403)
    return overview(request)


def overview(request):
    """The open edition's sections and progress, and the country's past editions below.
    Between editions (none open), NoOpenEditionError becomes the page that says so."""
    country = official_country(request.user)
    edition = edition_current()
    submission = submission_for_country(edition=edition, country=country)
    context = flow_context(submission=submission, edition=edition)
    steps = flow_steps(context)
    waiting = (
        carried_waiting_by_section(
            submission=submission,
            sections=context.sections,
            questions_by_section=context.questions_by_section,
            values=context.values,
        )
        if submission is not None
        else {}
    )
    sections = [
        {
            "step": step,
            "section": step.section,
            "state": (state := step.state(context)),
            "state_label": SectionState.LABELS[state],
            "question_count": len(step.questions(context)),
            "carried_waiting": waiting.get(step.section.id, 0),
        }
        for step in steps
        if isinstance(step, SectionStep)
    ]
    progress = context.progress
    open_threads = context.open_threads
    open_by_section: dict[int, int] = {}
    for thread in open_threads:
        thread.question_url = thread_question_url(thread)
        if thread.question_id is not None:
            section_id = thread.question.section_id
            open_by_section[section_id] = open_by_section.get(section_id, 0) + 1
    for item in sections:
        item["open_threads"] = open_by_section.get(item["section"].id, 0)
    return render(
        request,
        "questionnaire/overview.html",
        {
            "country": country,
            "edition": edition,
            "sections": sections,
            "submission": submission,
            "flow": context,
            "progress_done": progress.done,
            "progress_total": progress.total,
            "is_editable": submission is None or submission.is_editable_by_country,
            "review_outcome": submission_review_outcome(submission=submission),
            "past_submissions": submissions_past_for_country(country=country),
            "open_threads": open_threads,
            # Names who the reply forms were shown to (filling.session_stash): a reply sent
            # after the session expired is kept for that official only.
            "owner_token": stash_token(country_id=country.pk, user_id=request.user.pk),
            "resolved_general_threads": [
                thread for thread in context.general_comments if thread.is_resolved
            ],
            # Before the country starts: the year its draft would be prefilled from.
            "carry_over_year": (
                carry_over_year(edition=edition, country_id=country.pk)
                if submission is None
                else None
            ),
            "carried_waiting": sum(waiting.values()),
        },
    )
