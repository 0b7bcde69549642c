"""Reminders of an edition's deadline to the countries that have not submitted: requested
by a reviewer from the dashboard or by beat's daily run, sent by the worker in batches.

The once-a-day rule: a country is reminded at most once per day (UTC, the reviewers'
day) unless the reviewer confirms a second one explicitly (`again_today`); the
automatic reminder never does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.languages import mail_send_in_languages
from accounts.models import Country, User
from accounts.selectors import country_officials
from questionnaire.models import Edition, Reminder, Submission
from questionnaire.queueing import tasks_queue
from questionnaire.review.reminder_selectors import day_start, reminders_today, sections_missing
from questionnaire.review.selectors import countries_not_submitted

logger = logging.getLogger(__name__)

SEND_REMINDERS_TASK = "questionnaire.tasks.task_send_reminders"
ANSWERED = {Submission.Status.SUBMITTED, Submission.Status.ACCEPTED}


NO_DEADLINE = _("This edition has no deadline yet: set it on the edition's page.")


class ReminderError(Exception):
    """Nothing can be sent as asked; the message says why, for the reviewer."""


@dataclass
class RemindersQueued:
    reminders: list[Reminder] = field(default_factory=list)
    # Reminded today already and not confirmed again: left out.
    skipped_today: list[Country] = field(default_factory=list)
    # No official account to write to: they need an invitation instead.
    without_officials: list[Country] = field(default_factory=list)


def reminders_request(
    *,
    edition: Edition,
    country_ids: Iterable[int],
    requested_by: User | None,
    kind: str = Reminder.Kind.MANUAL,
    again_today: bool = False,
    now: datetime | None = None,
) -> RemindersQueued:
    """Record a reminder for each of `country_ids` that has not submitted and has officials,
    and queue their sending in batches of settings.MSQ_REMINDER_BATCH.

    Countries reminded today already are left out unless `again_today`. Side effects:
    Reminder rows and PendingTask rows (questionnaire.queueing) in one transaction; the
    e-mails leave from the worker (reminders_send). Raises ReminderError when the edition
    has no deadline, or when no country is left to remind (nothing is recorded then).
    """
    if edition.deadline is None:
        raise ReminderError(NO_DEADLINE)
    wanted = set(country_ids)
    chased = [
        item for item in countries_not_submitted(edition=edition) if item.country.id in wanted
    ]
    queued = RemindersQueued(without_officials=[item.country for item in chased if not item.emails])
    with transaction.atomic():
        # Two reviewers sending at once queue up here, so that the second sees the first's rows.
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        ids = [item.country.id for item in chased if item.emails]
        today = reminders_today(edition=edition, country_ids=ids, now=now)
        for item in chased:
            if not item.emails:
                continue
            if item.country.id in today and not again_today:
                queued.skipped_today.append(item.country)
                continue
            queued.reminders.append(
                Reminder.objects.create(
                    edition=edition, country=item.country, kind=kind, requested_by=requested_by
                )
            )
        if not queued.reminders:
            raise ReminderError(_reason_none_left(queued))
        size = settings.MSQ_REMINDER_BATCH
        ids = [reminder.pk for reminder in queued.reminders]
        tasks_queue(
            *[
                (SEND_REMINDERS_TASK, {"reminder_ids": ids[start : start + size]})
                for start in range(0, len(ids), size)
            ]
        )
    return queued


def _reason_none_left(queued: RemindersQueued) -> str:
    if queued.skipped_today:
        return str(
            _(
                "Every country chosen was reminded today already. Tick “Remind them again"
                " today” to send another reminder."
            )
        )
    if queued.without_officials:
        return str(_("None of the countries chosen has an official account to remind."))
    return str(_("Choose at least one country that has not submitted."))


def reminders_send(*, reminder_ids: Iterable[int]) -> int:
    """Send the reminders not sent yet among `reminder_ids`; returns how many were sent.

    Each e-mail names the deadline in the recipient's time zone and language and lists
    the sections the country has still to complete. Safe to run twice: a reminder with
    a `sent_at` is left alone (at least once: if the commit fails after the e-mail left,
    a retry sends it again). A country that submitted since it was chosen is not
    written to (the row gets a `sent_at` and no recipients).
    Side effects: e-mails; `sent_at` and `recipients` on each reminder.
    """
    sent = 0
    for reminder_id in reminder_ids:
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update(of=("self",))
                .select_related("edition", "country")
                .filter(pk=reminder_id, sent_at__isnull=True)
                .first()
            )
            if reminder is None:
                continue
            recipients = _reminder_mail_send(reminder=reminder)
            reminder.sent_at = timezone.now()
            reminder.recipients = recipients
            reminder.save(update_fields=["sent_at", "recipients"])
            sent += bool(recipients)
    return sent


def _reminder_mail_send(*, reminder: Reminder) -> list[str]:
    edition, country = reminder.edition, reminder.country
    status = (
        Submission.objects.filter(edition=edition, country=country)
        .values_list("status", flat=True)
        .first()
    )
    if status in ANSWERED:
        return []
    officials = list(country_officials(country_ids=[country.pk]).order_by("email"))
    if not officials:
        return []
    context = {
        "edition": edition,
        "country": country,
        "deadline": edition.deadline,
        "is_late": edition.deadline < timezone.now(),
        "returned": status == Submission.Status.RETURNED,
        "missing": sections_missing(edition=edition, country_ids=[country.pk])[country.pk],
        "url": settings.SITE_URL.rstrip("/") + reverse("questionnaire:home"),
    }
    mail_send_in_languages(
        users=officials,
        subject_template="questionnaire/email/reminder_subject.txt",
        body_template="questionnaire/email/reminder.txt",
        context=context,
        in_time_zones=True,
    )
    return [official.email for official in officials]


def reminders_automatic(*, now: datetime | None = None) -> int:
    """Queue the automatic reminder of every open edition whose deadline is
    `reminder_days_before_deadline` days away or nearer (UTC days); returns how many.

    Once per country and edition: a country with an automatic reminder since the window
    opened is not reminded again, nor one reminded today (the once-a-day rule). Beat runs
    it daily; a day it missed (beat down) is caught up the next day, before the deadline.
    Side effects: those of reminders_request, with kind AUTOMATIC and no reviewer.
    """
    now = now or timezone.now()
    count = 0
    editions = Edition.objects.filter(
        is_open=True, deadline__isnull=False, reminder_days_before_deadline__isnull=False
    )
    for edition in editions:
        window_opens = day_start(edition.deadline) - timedelta(
            days=edition.reminder_days_before_deadline
        )
        if not window_opens <= now <= edition.deadline:
            continue
        done = set(
            Reminder.objects.filter(
                edition=edition, kind=Reminder.Kind.AUTOMATIC, requested_at__gte=window_opens
            ).values_list("country_id", flat=True)
        )
        targets = [
            item.country.id
            for item in countries_not_submitted(edition=edition)
            if item.emails and item.country.id not in done
        ]
        if not targets:
            continue
        try:
            queued = reminders_request(
                edition=edition,
                country_ids=targets,
                requested_by=None,
                kind=Reminder.Kind.AUTOMATIC,
                now=now,
            )
        except ReminderError as error:
            logger.info("no automatic reminder for %s: %s", edition.code, error)
            continue
        count += len(queued.reminders)
    return count
