"""The reviewer's API tokens on the account page: make one (shown once), revoke one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import staff_required
from api.forms import ApiTokenForm
from api.selectors import api_tokens_of
from api.services import api_token_create, api_token_revoke


@never_cache
@require_POST
@staff_required
def api_token_create_view(request):
    """Make a token and show it, this once: only its SHA-256 is kept."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "api/token_form_error.html", {"form": form}, status=400)
    token, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
    return render(request, "api/token_created.html", {"token": token, "secret": secret})


@require_POST
@staff_required
def api_token_revoke_view(request, token_id: int):
    """Revoke one of the reviewer's own tokens (another person's is a 404)."""
    token = get_object_or_404(api_tokens_of(user=request.user), pk=token_id)
    if api_token_revoke(token=token):
        messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("accounts:account")
