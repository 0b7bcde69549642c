"""Editions in the review console: their calendar, and their life (open, close, reopen, archive,
unarchive).

The content comes from the edition file; DPIDG sets here when it opens and the
deadline. The state changes only through questionnaire.editions.lifecycle, behind
a confirmation page that says what the action does: how many drafts a close keeps
read-only (none is deleted), and which open edition an opening closes with it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.time_zones import datetime_with_zone
from questionnaire.editions.lifecycle import (
    EditionLifecycleError,
    edition_transition,
    lifecycle_preview,
)
from questionnaire.editions.states import EditionAction, edition_action_allowed
from questionnaire.models import Edition, EditionEvent
from questionnaire.review.admin.base import ReviewerReadOnlyAdmin, reviewer

# What each action's button says, in the lists and on its confirmation page.
ACTION_BUTTONS = {
    # A verb: "Open" is also the state's name.
    EditionAction.OPEN: pgettext_lazy("edition action", "Open"),
    EditionAction.CLOSE: pgettext_lazy("edition action", "Close"),
    EditionAction.REOPEN: pgettext_lazy("edition action", "Reopen"),
    EditionAction.ARCHIVE: pgettext_lazy("edition action", "Archive"),
    EditionAction.UNARCHIVE: pgettext_lazy("edition action", "Unarchive"),
}
CONFIRM_BUTTONS = {
    EditionAction.OPEN: _("Open the edition"),
    EditionAction.CLOSE: _("Close the edition"),
    EditionAction.REOPEN: _("Reopen the edition"),
    EditionAction.ARCHIVE: _("Archive the edition"),
    EditionAction.UNARCHIVE: _("Unarchive the edition"),
}
ACTION_TITLES = {
    EditionAction.OPEN: _("Open %(edition)s for answers?"),
    EditionAction.CLOSE: _("Close %(edition)s?"),
    EditionAction.REOPEN: _("Reopen %(edition)s for answers?"),
    EditionAction.ARCHIVE: _("Archive %(edition)s?"),
    EditionAction.UNARCHIVE: _("Unarchive %(edition)s?"),
}
DONE_MESSAGES = {
    EditionAction.OPEN: _("Edition %(edition)s is open: officials now land on it."),
    EditionAction.CLOSE: _(
        "Edition %(edition)s is closed: officials read it, no longer change it."
    ),
    EditionAction.REOPEN: _("Edition %(edition)s is open again: officials can change drafts."),
    EditionAction.ARCHIVE: _("Edition %(edition)s is archived."),
    EditionAction.UNARCHIVE: _(
        "Edition %(edition)s is unarchived: it is closed, offered in the reviewers' views again."
    ),
}


@admin.register(Edition)
class EditionAdmin(ReviewerReadOnlyAdmin):
    """The edition's content comes from its file; its calendar is DPIDG's to set here (when it
    opens, the deadline), and its state changes through the lifecycle actions only."""

    change_form_template = "admin/questionnaire/edition/change_form.html"
    list_display = (
        "code",
        "title",
        "year",
        "state",
        "opens_on_shown",
        "deadline_shown",
        "lifecycle_links",
    )
    list_filter = ("state",)
    fields = (
        "code",
        "title",
        "year",
        "state",
        "opens_on",
        "deadline",
        "reminder_days_before_deadline",
        "carried_over_must_be_confirmed",
        "source_file",
        "source_sha256",
        "loaded_at",
    )
    readonly_fields = (
        "code",
        "title",
        "year",
        "state",
        "source_file",
        "source_sha256",
        "loaded_at",
    )

    def has_change_permission(self, request, obj=None):
        return reviewer(request)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/lifecycle/<slug:action>/",
                self.admin_site.admin_view(self.lifecycle_view),
                name=f"{prefix}_lifecycle",
            ),
            *super().get_urls(),
        ]

    # Reviewers' pages are in UTC (accounts.time_zones): the dates say so.
    @admin.display(description=Edition._meta.get_field("opens_on").verbose_name)
    def opens_on_shown(self, obj: Edition) -> str:
        return datetime_with_zone(obj.opens_on) if obj.opens_on else "-"

    @admin.display(description=Edition._meta.get_field("deadline").verbose_name)
    def deadline_shown(self, obj: Edition) -> str:
        return datetime_with_zone(obj.deadline) if obj.deadline else "-"

    @admin.display(description=_("Actions"))
    def lifecycle_links(self, obj: Edition) -> str:
        links = format_html_join(
            " ",
            '<a class="button" href="{}">{}<span class="visually-hidden"> {}</span></a>',
            (
                (self._lifecycle_url(obj, action), label, obj.code)
                for action, label in self._allowed(obj)
            ),
        )
        return format_html('<span class="edition-actions">{}</span>', links or "-")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {**(extra_context or {})}
        if obj is not None:
            extra["lifecycle_actions"] = [
                {"label": label, "url": self._lifecycle_url(obj, action)}
                for action, label in self._allowed(obj)
            ]
        return super().change_view(request, object_id, form_url, extra)

    @staticmethod
    def _allowed(obj: Edition) -> list[tuple[EditionAction, str]]:
        return [
            (action, label)
            for action, label in ACTION_BUTTONS.items()
            if edition_action_allowed(obj.state, action)
        ]

    def _lifecycle_url(self, obj: Edition, action: EditionAction) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_lifecycle",
            args=[obj.pk, action.value],
        )

    def lifecycle_view(self, request, object_id, action):
        """GET: what the action will do (drafts kept, another edition closed), to confirm.
        POST: do it through the lifecycle service, then back to the edition's page."""
        if not reviewer(request):
            raise PermissionDenied
        if request.method not in {"GET", "POST"}:
            return HttpResponseNotAllowed(["GET", "POST"])
        try:
            action = EditionAction(action)
        except ValueError:
            raise Http404 from None
        edition = get_object_or_404(Edition, pk=unquote(object_id))
        preview = lifecycle_preview(edition=edition, action=action)
        error = ""
        if request.method == "POST":
            if request.POST.get("confirm") != "yes":
                error = _("Tick the box to confirm: nothing changed.")
            elif preview.other_open and request.POST.get("close_other") != "yes":
                error = _(
                    "%(other)s is open, and only one edition is open at a time. Tick the box"
                    " to close it in the same step: nothing changed."
                ) % {"other": preview.other_open.code}
            else:
                try:
                    edition_transition(
                        edition=edition,
                        action=action,
                        actor=request.user,
                        close_other=preview.other_open is not None,
                    )
                except EditionLifecycleError as refused:
                    error = str(refused)
                else:
                    self.message_user(
                        request,
                        DONE_MESSAGES[action] % {"edition": edition.code},
                        messages.SUCCESS,
                    )
                    return redirect(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_change", edition.pk
                    )
            # Read again: the refusal may come from a change made meanwhile.
            preview = lifecycle_preview(edition=edition, action=action)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": ACTION_TITLES[action] % {"edition": edition.code},
            "subtitle": edition.title,
            "edition": edition,
            "preview": preview,
            "button": ACTION_BUTTONS[action],
            "confirm_button": CONFIRM_BUTTONS[action],
            "error": error,
            "events": EditionEvent.objects.filter(edition=edition)
            .select_related("actor")
            .order_by("-created_at", "-id")[:10],
        }
        return TemplateResponse(
            request,
            "admin/questionnaire/edition/lifecycle_confirm.html",
            context,
            status=400 if error else 200,
        )


@admin.register(EditionEvent)
class EditionEventAdmin(ReviewerReadOnlyAdmin):
    list_display = ("created_at", "edition", "action", "before", "after", "drafts", "actor")
    list_filter = ("action", "edition")
    list_select_related = ("edition", "actor")
