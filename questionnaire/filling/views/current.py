"""The signed-in official's submission, as every country-side page finds it.

No URL here carries a submission id: the submission is always the signed-in
official's country's (questionnaire.access.official_country), so another
country's answers cannot even be named.

Opening a page never writes: before the country's first save there is no
submission row, and pages render from an unsaved draft (no answers). The row
is created by the first save (`for_saving=True`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from questionnaire.access import official_country, official_country_id
from questionnaire.filling.errors import EditionClosedError
from questionnaire.filling.services import submission_get_or_create
from questionnaire.filling.steps import FlowContext, SectionStep, flow_context, flow_steps
from questionnaire.locking import submission_locked, submission_locked_current
from questionnaire.models import Edition, Submission
from questionnaire.selectors import edition_current, submission_current_for_country_id


def official_submission(
    request: HttpRequest,
    *,
    for_saving: bool = False,
    locked: bool = False,
    posted_edition: str = "",
) -> Submission:
    """The signed-in official's submission, with its edition and country.

    One query once the country has started (the common case on every section
    page and autosave). Before that: created if `for_saving`, else an unsaved
    draft of the current edition, so that a page shows empty answers and writes nothing.

    `locked`: the row is locked until the end of the caller's transaction by that same
    query (a save then hands it to answers_save with already_locked=True).

    `posted_edition`: the edition code the posting page was of; if it is no longer the open
    edition, EditionClosedError is raised before any draft is created.
    """
    country_id = official_country_id(request.user)
    if locked:
        submission = submission_locked_current(country_id=country_id)
    else:
        submission = submission_current_for_country_id(country_id=country_id)
    if submission is None:
        edition, country = edition_current(), official_country(request.user)
        if posted_for_another_edition({"edition": posted_edition}, edition=edition):
            raise EditionClosedError
        if for_saving:
            submission = submission_get_or_create(
                edition=edition, country=country, user=request.user
            )
            if locked:
                submission = submission_locked(submission)
        else:
            submission = Submission(edition=edition, country=country)
    elif posted_for_another_edition({"edition": posted_edition}, edition=submission.edition):
        raise EditionClosedError
    # The page header shows the user's country: reuse the row read with the submission.
    request.user.country = submission.country
    return submission


def posted_for_another_edition(data, *, edition: Edition) -> bool:
    """Whether a posted page (its hidden `edition`) was of an edition other than `edition`,
    the open one: a page left open while DPIDG closed its edition and opened the next
    must not save into the new one."""
    code = data.get("edition", "")
    return bool(code) and code != edition.code


def official_flow(
    request: HttpRequest, *, for_saving: bool = False
) -> tuple[Submission, FlowContext]:
    """The official's submission (see official_submission) and its whole flow context."""
    submission = official_submission(request, for_saving=for_saving)
    return submission, flow_context(submission=submission, edition=submission.edition)


def section_step_of(context: FlowContext, code: str) -> tuple[list, SectionStep]:
    steps = flow_steps(context)
    for step in steps:
        if isinstance(step, SectionStep) and step.identifier == code:
            return steps, step
    raise Http404
