"""{% deadline_notice edition %}: the edition's deadline and the days left, on the overview and
every filling page (questionnaire/_deadline.html)."""

from django import template

from questionnaire.deadline import deadline_status

register = template.Library()


@register.inclusion_tag("questionnaire/_deadline.html")
def deadline_notice(edition) -> dict:
    # A closed edition takes no answers: its pages say so, not how late it is.
    if edition is None or edition.state != edition.State.OPEN:
        return {"status": None}
    return {"status": deadline_status(edition=edition)}
