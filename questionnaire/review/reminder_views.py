"""Reviewers' pages for chasing the countries: the reminder's confirmation step and the
invitation of focal points from a pasted list.

Like the dashboard (questionnaire/review/views.py), they use the admin's look and are
refused to anyone who is not a reviewer. Opening them never writes; the POSTs call
one service each.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.access import staff_required
from accounts.invitation_lists import InvitationListError, focal_points_invite
from accounts.models import Country
from questionnaire.models import Edition
from questionnaire.review.question_across import edition_for_review
from questionnaire.review.reminder_selectors import reminder_targets
from questionnaire.review.reminders import NO_DEADLINE, ReminderError, reminders_request
from questionnaire.review.selectors import countries_not_submitted


def _country_choices() -> list[tuple[int, int]]:
    return [(pk, pk) for pk in Country.objects.values_list("pk", flat=True)]


class ReminderSelectionForm(forms.Form):
    """What the dashboard's form sends: every country listed (of a region), or the ticked."""

    region = forms.CharField(required=False)
    scope = forms.ChoiceField(choices=[("all", "all"), ("ticked", "ticked")], required=False)
    country = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=_country_choices)


class ReminderConfirmForm(forms.Form):
    country = forms.TypedMultipleChoiceField(
        coerce=int, choices=_country_choices, widget=forms.MultipleHiddenInput
    )
    again_today = forms.BooleanField(label=_("Remind them again today"), required=False)


def _dashboard_url(edition: Edition, region: str) -> str:
    query = {"edition": edition.code, **({"region": region} if region else {})}
    return f"{reverse('questionnaire:staff_dashboard')}?{urlencode(query)}#waiting-heading"


def _chosen_ids(*, edition: Edition, selection: ReminderSelectionForm) -> list[int]:
    if not selection.is_valid():
        return []
    if selection.cleaned_data["scope"] == "all":
        region = selection.cleaned_data["region"]
        return [item.country.id for item in countries_not_submitted(edition=edition, region=region)]
    return selection.cleaned_data["country"]


@require_http_methods(["GET", "POST"])
@staff_required
def reminders_confirm(request):
    """Who will receive the reminder (GET, from the dashboard's selection), then send (POST).

    The POST sends to the countries listed on the page (posted back as hidden fields);
    those reminded today already only with the explicit tick.
    """
    edition = edition_for_review(code=request.GET.get("edition", ""))
    region = request.GET.get("region", "")
    error = ""
    if request.method == "POST":
        form = ReminderConfirmForm(request.POST)
        if form.is_valid():
            try:
                queued = reminders_request(
                    edition=edition,
                    country_ids=form.cleaned_data["country"],
                    requested_by=request.user,
                    again_today=form.cleaned_data["again_today"],
                )
            except ReminderError as refused:
                error = str(refused)
            else:
                _report(request, queued)
                return redirect(_dashboard_url(edition, region))
        ids = form.cleaned_data.get("country") or []
    else:
        form = ReminderConfirmForm()
        ids = _chosen_ids(edition=edition, selection=ReminderSelectionForm(request.GET))
    targets = reminder_targets(edition=edition, country_ids=ids)
    reachable = [target for target in targets if target.chase.emails]
    if edition.deadline is None:
        error = str(NO_DEADLINE)
    elif not reachable:
        error = error or str(
            _("Choose at least one country that has not submitted and has an official account.")
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Send a reminder"),
        "edition": edition,
        "targets": reachable,
        "without_officials": [target for target in targets if not target.chase.emails],
        "reminded_today": [target for target in reachable if target.reminded_today],
        "recipient_count": sum(len(target.chase.emails) for target in reachable),
        "again_today": form["again_today"].value(),
        "country_ids": [target.chase.country.id for target in reachable],
        "error": error,
        "dashboard_url": _dashboard_url(edition, region),
    }
    return render(
        request,
        "questionnaire/staff/reminder_confirm.html",
        context,
        status=400 if error else 200,
    )


def _report(request, queued) -> None:
    count = len(queued.reminders)
    messages.success(
        request,
        ngettext(
            "A reminder to %(count)d country is being sent.",
            "Reminders to %(count)d countries are being sent.",
            count,
        )
        % {"count": count},
    )
    if queued.skipped_today:
        messages.warning(
            request,
            _("Not reminded again today: %(countries)s.")
            % {"countries": ", ".join(country.name for country in queued.skipped_today)},
        )


class InvitationListForm(forms.Form):
    addresses = forms.CharField(
        label=_("Focal points to invite"),
        help_text=_(
            "One per line: the country (ISO code or name), a comma, then the e-mail address."
            " For example: UZ, name@gov.uz"
        ),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        max_length=40_000,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def invitations_paste(request):
    """Invite the focal points of countries without an official account, from a pasted list."""
    form = InvitationListForm(request.POST or None)
    lines = []
    if request.method == "POST" and form.is_valid():
        try:
            invitations = focal_points_invite(
                text=form.cleaned_data["addresses"], invited_by=request.user
            )
        except InvitationListError as refused:
            lines = refused.lines
            form.add_error(
                "addresses",
                _("Nothing was sent: correct the lines marked below, then send again.")
                if lines
                else _("Write at least one line."),
            )
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d invitation sent: %(emails)s.",
                    "%(count)d invitations sent: %(emails)s.",
                    len(invitations),
                )
                % {
                    "count": len(invitations),
                    "emails": ", ".join(f"{i.country.iso2} {i.email}" for i in invitations),
                },
            )
            return redirect(f"{reverse('questionnaire:staff_dashboard')}#invite-heading")
    context = {
        **admin.site.each_context(request),
        "title": _("Invite focal points"),
        "form": form,
        "lines": lines,
        "bad_lines": [line for line in lines if line.error],
    }
    return render(
        request,
        "questionnaire/staff/invitations_paste.html",
        context,
        status=400 if form.errors else 200,
    )
