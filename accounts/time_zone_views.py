"""The browser's time zone, reported by static/js/time-zone.js."""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from accounts.time_zones import user_time_zone_set


@require_POST
def time_zone_view(request):
    """Remember the signed-in person's time zone ("time_zone": an IANA name): their pages
    show times in it from the next request on. A name the server does not know: 400,
    nothing stored. CSRF-protected like every POST."""
    name = request.POST.get("time_zone", "")
    try:
        changed = user_time_zone_set(user=request.user, time_zone=name)
    except ValueError:
        return JsonResponse({"error": "unknown time zone", "code": "invalid"}, status=400)
    return JsonResponse({"time_zone": request.user.time_zone, "changed": changed})
