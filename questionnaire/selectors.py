"""Reads of the questionnaire: editions, sections and each country's submission.

Every country-facing read of a submission goes through
`submission_for_country`, which scopes by the official's own country.
"""

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404

from accounts.models import Country
from questionnaire.models import Edition, Section, Submission


def edition_current() -> Edition:
    """The edition officials answer now (settings.MSQ_CURRENT_EDITION); 404 if not loaded."""
    try:
        return Edition.objects.get(code=settings.MSQ_CURRENT_EDITION)
    except Edition.DoesNotExist as error:
        raise Http404("The questionnaire has not been loaded.") from error


def section_list_with_counts(*, edition: Edition) -> QuerySet[Section]:
    return edition.sections.annotate(question_count=Count("questions")).order_by("order")


def submission_for_country(*, edition: Edition, country: Country) -> Submission | None:
    """The country's submission to the edition, or None if it has not started one."""
    return (
        Submission.objects.select_related("edition", "country")
        .filter(edition=edition, country=country)
        .first()
    )
