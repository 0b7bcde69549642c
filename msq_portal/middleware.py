"""Project-wide response headers that no single view should have to remember."""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in request, and on every
    file download.

    Signed-in pages carry a country's answers, comments and names: a shared
    ministry computer's browser cache, or a proxy in between, must not keep
    them for the next person. Decided before the view runs, so that the page
    shown after signing out is covered too. Static files never reach this
    middleware (WhiteNoise answers them first) and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        download = response.get("Content-Disposition", "").startswith("attachment")
        if signed_in or download:
            add_never_cache_headers(response)
        return response
