"""The reviewers' view of a submission's answers carried over from the previous edition
(templates/admin/questionnaire/submission/_carried_over.html): read where it is shown, so
that the review page needs one include line and nothing else."""

from django import template

from questionnaire.carried import CarriedReview, carried_review
from questionnaire.models import Submission

register = template.Library()


@register.simple_tag
def carried_over(submission: Submission) -> CarriedReview | None:
    return carried_review(submission=submission)
