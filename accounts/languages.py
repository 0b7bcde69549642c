"""The interface language: the header's switcher, the signed-in user's choice, e-mails in
the recipient's language.

The language is decided in one place per request: Django's LocaleMiddleware
(cookie, then Accept-Language, among settings.LANGUAGES), then, for a signed-in
person who chose one, UserLanguageMiddleware (their `User.language`). Anything not
offered falls back to settings.LANGUAGE_CODE (English), never an error.
"""

from collections.abc import Iterable
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.core.mail import send_mail
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from accounts.time_zones import user_time_zone


def language_supported(code: str | None) -> str:
    """`code` if it is offered (settings.LANGUAGES, with its variants), else English."""
    if not code:
        return settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


def user_language(user: User) -> str:
    """The language to write to `user` in: their choice, else English."""
    return language_supported(user.language)


def recipient_language(user: User | None) -> str:
    """The language of an e-mail sent while someone waits on a page (invitation, password
    reset): the recipient's choice, else the page's language."""
    if user is not None and user.language:
        return user_language(user)
    return language_supported(translation.get_language())


def user_language_set(*, user: User, language: str) -> None:
    """Remember `language` as `user`'s interface language (ignored unless offered).

    Side effects: one UPDATE of the user's `language` when it changes."""
    if language_supported(language) != language or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])


def users_by_language(users: Iterable[User]) -> dict[str, list[User]]:
    """`users` grouped by the language to write to each, so that one e-mail is rendered
    per language (with translation.override) and every recipient reads their own."""
    groups: dict[str, list[User]] = {}
    for user in users:
        groups.setdefault(user_language(user), []).append(user)
    return groups


def mail_send_in_languages(
    *,
    users: Iterable[User],
    subject_template: str,
    body_template: str,
    context: dict,
    in_time_zones: bool = False,
) -> int:
    """E-mail `users` the message the two templates make from `context`, each in their own
    language: one message per language, rendered under translation.override (also in a
    worker, where no request chose a language). Returns the number of recipients.

    With `in_time_zones`, one message per language and time zone, rendered under
    timezone.override of the recipients' zone (User.time_zone), so that a date in it
    reads as their own clock does.

    Side effects: sends one e-mail per language (and zone) among the recipients."""
    groups: dict[tuple[str, str], list[User]] = {}
    for language, speakers in users_by_language(users).items():
        for user in speakers:
            zone = str(user_time_zone(user)) if in_time_zones else ""
            groups.setdefault((language, zone), []).append(user)
    sent_to = 0
    for (language, zone), group in groups.items():
        with translation.override(language), timezone.override(zone) if zone else nullcontext():
            subject = " ".join(render_to_string(subject_template, context).split())
            body = render_to_string(body_template, context)
        send_mail(subject, body, None, [user.email for user in group])
        sent_to += len(group)
    return sent_to


@receiver(user_logged_in, dispatch_uid="accounts.languages.sign_in")
def _language_at_sign_in(sender, request, user, **kwargs):
    # A person who never chose keeps what they picked on the sign-in page (the cookie),
    # stored now; one who chose before gets their choice back (UserLanguageMiddleware
    # applies it from the next request on, and sends the cookie).
    if request is None:
        return
    if not user.language and getattr(request, "LANGUAGE_CODE", None):
        user_language_set(user=user, language=language_supported(request.LANGUAGE_CODE))
    if user.language:
        translation.activate(user_language(user))
        request.LANGUAGE_CODE = translation.get_language()
