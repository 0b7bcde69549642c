"""How django-axes names the person behind a failed sign-in."""

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str:
    """The user name tried, lower-cased and stripped.

    E-mail addresses sign in in any case, so FOCAL@x and focal@x must count as
    one user name, or changing the case would dodge the lockout.
    """
    if credentials and credentials.get("username") is not None:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "POST", {}).get("username", "")
    # django-axes stores at most 255 characters; longer names are refused by the form anyway.
    return str(raw or "").strip().lower()[:255]
