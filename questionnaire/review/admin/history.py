"""A submission's history in the review console: the admin's history view, in words.

Replaces Django's history page (its LogEntry rows say nothing of answers) with
questionnaire.review.history's entries: newest first, a page at a time, filtered
by section and by person, dates in the reviewer's time zone. Reviewers only.
"""

from __future__ import annotations

from django import forms
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.time_zones import user_time_zone
from questionnaire.editions.wording import wording
from questionnaire.models import Submission
from questionnaire.review.history import (
    NOBODY,
    HistoryFilters,
    history_people,
    history_sections,
    submission_history,
)


class HistoryFilterForm(forms.Form):
    """The history's filters (GET). An unknown choice is an error shown on the page, and the
    history is then shown unfiltered."""

    section = forms.ChoiceField(label=_("Section"), required=False)
    person = forms.ChoiceField(label=_("Person"), required=False)

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("Every section"))] + [
            (section.code, f"{section.numeral}. {wording(section, 'title')}")
            for section in history_sections(submission=submission)
        ]
        self.fields["person"].choices = [
            ("", _("Everyone")),
            *((str(user.pk), user.email) for user in history_people(submission=submission)),
            (NOBODY, _("The portal itself (PDF, e-mails)")),
        ]

    def filters(self) -> HistoryFilters:
        if not self.is_valid():
            return HistoryFilters()
        return HistoryFilters(
            section=self.cleaned_data["section"], person=self.cleaned_data["person"]
        )


class SubmissionHistoryMixin:
    """The admin's history view of a submission (admin:questionnaire_submission_history).

    Needs SubmissionReviewMixin's _submission_or_404 (reviewers only, 404 for a
    submission they may not see)."""

    def history_view(self, request, object_id, extra_context=None):
        submission = self._submission_or_404(request, object_id)
        form = HistoryFilterForm(request.GET or None, submission=submission)
        filters = form.filters() if form.is_bound else HistoryFilters()
        zone = user_time_zone(request.user)
        history = submission_history(
            submission=submission,
            zone=zone,
            filters=filters,
            page_number=request.GET.get("page", 1),
        )
        # The pages' links keep the filters chosen.
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("History: %(country)s") % {"country": submission.country.name},
            "subtitle": submission.edition.title,
            "submission": submission,
            "form": form,
            "history": history,
            "filtered": filters != HistoryFilters(),
            # Said on the page: a section's history keeps the whole submission's events.
            "section_chosen": bool(filters.section),
            "zone_name": str(zone),
            "filter_query": query.urlencode(),
            "review_url": reverse("admin:questionnaire_submission_change", args=[submission.pk]),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/questionnaire/submission/history.html", context)
