"""The reviewers' submissions list: every Member State of an edition, not-started included.

A staff page rather than a model admin's changelist: its rows are countries joined to
the edition's submissions (a country has no edition of its own), progress is computed
by questionnaire.progress in Python and must still sort, and the columns have to fit
1280 px without the admin's sidebars. Like the dashboard, it uses the admin's look and
is refused to anyone who is not a reviewer. The admin's Submission changelist stays
for exporting selected rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.access import staff_required
from accounts.models import Country
from accounts.time_zones import user_time_zone
from questionnaire.models import Edition
from questionnaire.review.member_states import (
    DATE_FIELDS,
    DEFAULT_SORT,
    SORT_KEYS,
    SUBMITTED,
    ListFilters,
    member_states_list,
)
from questionnaire.review.question_across import edition_for_review, status_choices

# The table's columns: (sort key or "", heading, CSS class).
COLUMNS = [
    ("country", _("Country"), "col-country"),
    ("region", _("UN region"), "col-region"),
    ("status", _("Status"), "col-status"),
    ("progress", _("Progress"), "col-progress"),
    ("changed", _("Last change"), "col-date"),
    ("submitted", _("Submitted at"), "col-date"),
    ("", _("Consent to publish"), "col-consent"),
    ("", _("PDF"), "col-pdf"),
    ("comments", _("Open comments"), "col-comments"),
]


class MemberStatesFilterForm(forms.Form):
    """The list's filters, from the query string; a bad value is said on the page."""

    q = forms.CharField(label=_("Country or ISO code"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.ChoiceField(label=_("UN region"), required=False)
    date_field = forms.ChoiceField(
        label=_("Date"), required=False, choices=list(DATE_FIELDS.items())
    )
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, regions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("every status")), *status_choices()]
        self.fields["region"].choices = [("", _("every region"))] + [(r, r) for r in regions]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> ListFilters:
        """The valid filters; a field in error filters nothing."""
        data = self.cleaned_data if self.is_bound else {}
        return ListFilters(
            query=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            region=data.get("region") or "",
            date_field=data.get("date_field") or SUBMITTED,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _headers(request, sort: str) -> list[dict]:
    """Each column's heading, its link to sort by it (again: the other way), and aria-sort."""
    current = sort.removeprefix("-")
    descending = sort.startswith("-")
    headers = []
    for key, label, css in COLUMNS:
        header = {"label": label, "css": css, "key": key, "url": "", "aria_sort": ""}
        if key:
            query = request.GET.copy()
            query["sort"] = f"-{key}" if key == current and not descending else key
            header["url"] = f"?{query.urlencode()}"
            if key == current:
                header["aria_sort"] = "descending" if descending else "ascending"
        headers.append(header)
    return headers


@require_GET
@staff_required
def member_states(request):
    """Every Member State's submission for an edition: status, progress, dates, consent, PDF
    and open comments; filterable, searchable, sortable."""
    edition = edition_for_review(code=request.GET.get("edition", ""))
    regions = sorted(set(Country.objects.values_list("region", flat=True)))
    form = MemberStatesFilterForm(request.GET or None, regions=regions)
    form.is_valid()
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort.removeprefix("-") not in SORT_KEYS:
        sort = DEFAULT_SORT
    zone = user_time_zone(request.user)
    listing = member_states_list(edition=edition, filters=form.filters(), sort=sort, zone=zone)
    context = {
        **admin.site.each_context(request),
        # The table needs the page's full width at 1280 px.
        "is_nav_sidebar_enabled": False,
        "title": _("Submissions by Member State"),
        "subtitle": edition.title,
        "edition": edition,
        "editions": Edition.objects.all(),
        "form": form,
        "listing": listing,
        "headers": _headers(request, sort),
        "sort": sort,
        "zone_label": zone.key,
    }
    # Dates in the reviewer's own zone, named beside each time.
    with timezone.override(zone):
        return render(request, "questionnaire/staff/member_states.html", context)
