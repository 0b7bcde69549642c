"""Who may open what: the access rules of the portal, in small named helpers.

Country-facing views take the official's country from here and nowhere else;
staff-only pages check staff rights with `staff_required`.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import REVIEWERS_GROUP, Country, User


def is_reviewer(user: User) -> bool:
    """DPIDG staff who may use the review console.

    The group membership is read once per user object, as Django caches permissions
    (`_perm_cache`): request.user is loaded anew for each request, and the admin asks
    for every model's permissions on every page (12 identical queries per staff page).
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    member = getattr(user, "_reviewers_group_member", None)
    if member is None:
        member = user.groups.filter(name=REVIEWERS_GROUP).exists()
        user._reviewers_group_member = member
    return member


def official_country(user: User) -> Country:
    """The country a signed-in official answers for; 404 for anyone else.

    A 404 rather than a 403 so that nothing tells an outsider what exists.
    """
    if not user.is_authenticated or not user.is_active or user.is_staff or not user.country_id:
        raise Http404
    return user.country


def official_country_id(user: User) -> int:
    """official_country's id, without reading the country row (the autosave needs only the id)."""
    if not user.is_authenticated or not user.is_active or user.is_staff or not user.country_id:
        raise Http404
    return user.country_id


def staff_required(view):
    """Refuse a view to anyone who is not a reviewer (403 for officials, login for anonymous)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_reviewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
