"""Link statuses in templates: `{% linkchecks submission %}…{% endlinkchecks %}` reads the
submission's link checks once (one query), and inside it `{% link_status url %}` shows a
link's status and `{% link_summary %}` the summary, wherever they are rendered from
(the answers' own templates are rendered separately, by the kinds registry).
"""

from __future__ import annotations

import contextvars

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from linkcheck.selectors import (
    LinkStatus,
    link_summary,
    status_for_url,
    submission_link_statuses,
)

register = template.Library()

# Set only while a {% linkchecks %} block renders, then reset: nothing outlives the page.
_statuses: contextvars.ContextVar[dict[str, LinkStatus] | None] = contextvars.ContextVar(
    "linkcheck_statuses", default=None
)


class LinkChecksNode(template.Node):
    def __init__(self, submission, nodelist):
        self.submission = submission
        self.nodelist = nodelist

    def render(self, context):
        submission = self.submission.resolve(context)
        statuses = submission_link_statuses(submission_id=submission.pk) if submission else {}
        token = _statuses.set(statuses)
        try:
            return self.nodelist.render(context)
        finally:
            _statuses.reset(token)


@register.tag
def linkchecks(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% linkchecks submission %} takes one argument")
    nodelist = parser.parse(("endlinkchecks",))
    parser.delete_first_token()
    return LinkChecksNode(parser.compile_filter(bits[1]), nodelist)


@register.simple_tag
def link_status(url: str) -> SafeString | str:
    """The status of the link `url` (as typed), or nothing outside a {% linkchecks %} block."""
    statuses = _statuses.get()
    if statuses is None:
        return ""
    status = status_for_url(statuses, url)
    if status is None:
        return ""
    return render_to_string("linkcheck/_status.html", {"status": status})


@register.inclusion_tag("linkcheck/_summary.html", takes_context=True)
def link_summary_box(context, *, confirm: bool = False, check_url: str = ""):
    """The summary of the block's links; `confirm` adds the official's confirmation form,
    `check_url` the reviewers' "Check the links now" button (both POST with CSRF)."""
    statuses = _statuses.get() or {}
    return {
        "summary": link_summary(statuses.values()),
        "confirm": confirm,
        "check_url": check_url,
        "csrf_token": context.get("csrf_token"),
    }
