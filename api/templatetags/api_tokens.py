from django import template

from accounts.access import is_reviewer
from api.forms import ApiTokenForm
from api.selectors import api_tokens_of

register = template.Library()


@register.inclusion_tag("api/_tokens.html", takes_context=True)
def api_tokens_panel(context):
    """The account page's API tokens section: for reviewers only, empty for everyone else."""
    user = context["request"].user
    if not is_reviewer(user):
        return {"show": False}
    return {"show": True, "tokens": list(api_tokens_of(user=user)), "form": ApiTokenForm()}
