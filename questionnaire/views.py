from django.shortcuts import redirect, render

from accounts.access import is_reviewer, official_country
from questionnaire.selectors import (
    edition_current,
    section_list_with_counts,
    submission_for_country,
)


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
    return render(
        request,
        "questionnaire/overview.html",
        {
            "country": country,
            "edition": edition,
            "sections": section_list_with_counts(edition=edition),
            "submission": submission,
        },
    )
