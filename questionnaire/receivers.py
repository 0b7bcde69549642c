"""What the questionnaire records when something happens elsewhere (connected in apps.ready)."""

from accounts.models import Country, User
from questionnaire.editions.states import EditionState
from questionnaire.models import Submission, SubmissionEvent


def focal_point_change_record(
    *, country: Country, by: User, before: dict, after: dict, message: str, **_signal
) -> None:
    """Record a focal-point handover (accounts.signals.focal_point_changed) on the country's
    submission to the open edition, if it has one, in the handover's transaction."""
    submission = (
        Submission.objects.select_for_update()
        .filter(country=country, edition__state=EditionState.OPEN)
        .first()
    )
    if submission is not None:
        SubmissionEvent.objects.create(
            submission=submission,
            kind=SubmissionEvent.Kind.FOCAL_POINT_CHANGED,
            actor=by,
            version=submission.version,
            before=before,
            after=after,
            message=message,
        )
