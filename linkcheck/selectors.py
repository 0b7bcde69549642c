"""Reads of the link checker: the status of a submission's links, in words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from linkcheck.checker import link_target
from linkcheck.models import LinkCheck, SubmissionLink


def status_text(link_check: LinkCheck | None) -> str:
    """What a link's last check found, in words ("redirects to https://…", "not checked: …")."""
    State = LinkCheck.State
    if link_check is None or link_check.state == State.PENDING:
        return _("not checked yet")
    label = link_check.get_state_display()
    if link_check.state == State.REDIRECTS:
        return _("redirects to %(url)s") % {"url": link_check.final_url}
    if link_check.state == State.REACHABLE:
        return str(label)
    if link_check.error:
        return f"{label}: {link_check.error}"
    return str(label)


@dataclass(frozen=True)
class LinkStatus:
    """A link of a submission as officials and reviewers see it."""

    link: SubmissionLink
    check: LinkCheck

    @property
    def state(self) -> str:
        return self.check.state

    @property
    def text(self) -> str:
        return status_text(self.check)

    @property
    def is_broken(self) -> bool:
        return self.check.is_broken

    @property
    def needs_confirmation(self) -> bool:
        return self.check.is_broken and self.link.confirmed_at is None


def submission_link_statuses(*, submission_id: int) -> dict[str, LinkStatus]:
    """{url_key: LinkStatus} of the submission's links, in one query."""
    links = (
        SubmissionLink.objects.filter(submission_id=submission_id)
        .select_related("link_check", "confirmed_by")
        .order_by("id")
    )
    return {link.link_check.url_key: LinkStatus(link=link, check=link.link_check) for link in links}


def status_for_url(statuses: dict[str, LinkStatus], url: str) -> LinkStatus | None:
    return statuses.get(link_target(url).key) if url and url.strip() else None


@dataclass(frozen=True)
class LinkSummary:
    total: int
    counts: dict[str, int]
    broken: list[LinkStatus]
    to_confirm: list[LinkStatus]

    def labelled_counts(self) -> Iterator[tuple[str, str, int]]:
        """(state, label, count) for each state present, in the states' order."""
        for state, label in LinkCheck.State.choices:
            if self.counts.get(state):
                yield state, label, self.counts[state]


def link_summary(statuses: Iterable[LinkStatus]) -> LinkSummary:
    statuses = list(statuses)
    counts = Counter(status.state for status in statuses)
    broken = [status for status in statuses if status.is_broken]
    return LinkSummary(
        total=len(statuses),
        counts=dict(counts),
        broken=broken,
        to_confirm=[status for status in broken if status.needs_confirmation],
    )


def submissions_with_broken_links(queryset: QuerySet) -> QuerySet:
    """The submissions of `queryset` listing at least one link whose last check failed."""
    broken = SubmissionLink.objects.filter(
        submission_id=OuterRef("pk"), link_check__state__in=LinkCheck.BROKEN_STATES
    )
    return queryset.filter(Exists(broken))


def edition_status_texts(*, edition_id: int) -> dict[str, str]:
    """{url_key: status in words} of every URL listed by the edition's submissions (exports)."""
    checks = LinkCheck.objects.filter(uses__submission__edition_id=edition_id).distinct()
    return {check.url_key: status_text(check) for check in checks}
