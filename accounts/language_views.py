"""The header's language switcher."""

from django.contrib.auth.decorators import login_not_required
from django.views import i18n
from django.views.decorators.http import require_POST

from accounts.languages import user_language_set


@login_not_required
@require_POST
def set_language_view(request):
    """Django's set_language (the language cookie, then back to `next`), and for a
    signed-in person their `language`, so that it follows them to another browser and
    into their e-mails."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    return response
