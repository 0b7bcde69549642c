"""The access matrix: every named URL, requested as five people, answers as expected.

Generated from the URL configuration: a URL name with no entry in MATRIX
fails `test_every_url_has_an_entry`. For each entry, GET (and POST where the
view takes POST) is requested as every role; where the answer is a refusal
the database must be unchanged; no page shown to anonymous or to country B's
official may contain country A's marker; every HTML page must be one the
Content-Security-Policy does not break. POSTs are sent with CSRF checks
enforced, with a valid token, and once more without one (refused with 403,
nothing changed).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import (
    ADMIN_LOGIN,
    FOUND,
    LOGIN,
    MARKER_A,
    MATRIX,
    REFUSALS,
    ROLES,
    Url,
    world_build,
)
from tests.page_checks import csp_violations

# The admin pages of apps other than the project's own follow one rule (see access_matrix.py).
PROJECT_APPS = ("accounts", "questionnaire")
ADMIN_SITE_PAGES = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "jsi18n",
    "autocomplete",
    "view_on_site",
    "app_list",
}
# Tables whose rows are not the project's data: sessions change at every request,
# django-axes records sign-in attempts, ContentTypes are Django's own.
IGNORED_TABLES = {"sessions", "axes", "contenttypes"}


def _named_urls() -> dict[str, tuple[str, list[str]]]:
    """{name: (route, converter names)} of every named URL; unnamed ones are listed apart."""
    named: dict[str, tuple[str, list[str]]] = {}

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name is None:
                    UNNAMED.append(route)
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                named.setdefault(name, (route, list(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", None)
    return named


UNNAMED: list[str] = []
NAMED = _named_urls()


def _is_other_admin(name: str) -> bool:
    """An admin page of a third-party app (auth, axes, otp): ADMIN_OTHER_RULE applies."""
    if not name.startswith("admin:"):
        return False
    page = name.removeprefix("admin:")
    return page not in ADMIN_SITE_PAGES and not page.startswith(
        tuple(f"{app}_" for app in PROJECT_APPS)
    )


def test_every_url_has_an_entry():
    missing = sorted(name for name in NAMED if name not in MATRIX and not _is_other_admin(name))
    assert not missing, (
        f"These URL names have no entry in tests/access_matrix.py: {missing}. Add one line "
        "per URL to MATRIX there, with the status expected for anonymous, official_a, "
        "official_b, contributor_a and reviewer (see the docstring at the top of that file)."
    )


def test_matrix_has_no_stale_entries():
    stale = sorted(name for name in MATRIX if name not in NAMED)
    assert not stale, f"tests/access_matrix.py lists URLs that no longer exist: {stale}"


def test_unnamed_urls_are_only_the_admins_own():
    # Unnamed patterns cannot be listed in the matrix; only the admin's internal
    # redirects and catch-all may be unnamed. Name yours.
    assert all(route.startswith("admin/") for route in UNNAMED), UNNAMED


# Reference data: rows counted, not compared value by value (to keep the matrix fast).
COUNTED_ONLY = {
    "accounts.Country",
    "questionnaire.Edition",
    "questionnaire.Section",
    "questionnaire.Question",
    "auth.Permission",
}


def _snapshot() -> dict[str, object]:
    """The project's rows before/after a request: every value of the tables people write,
    the row count of reference tables."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        if model._meta.app_label in IGNORED_TABLES:
            continue
        label = model._meta.label
        if label in COUNTED_ONLY:
            state[label] = model.objects.count()
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in {"last_login"}  # signing a client in sets it
        ]
        state[label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


def _diff(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _client(world, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    # A CSRF cookie as a browser would hold after any page.
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    return client


def _status_matches(expected, response) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and urlparse(response["Location"]).path == reverse(
            settings.LOGIN_URL
        )
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and urlparse(response["Location"]).path == reverse(
            "admin:login"
        )
    if expected == FOUND:
        return response.status_code == 302 and urlparse(response["Location"]).path not in {
            reverse(settings.LOGIN_URL),
            reverse("admin:login"),
        }
    return response.status_code == expected


def _request(client, method: str, url: str, data, entry: Url, *, csrf: bool):
    if method == "get":
        return client.get(url)
    headers = {"HTTP_X_CSRFTOKEN": "a" * 32} if csrf else {}
    if entry.json:
        return client.post(url, json.dumps(data), content_type="application/json", **headers)
    if csrf:
        data = {**data, "csrfmiddlewaretoken": "a" * 32}
    return client.post(url, data, **headers)


def _form_fields(html: str) -> dict[str, object]:
    """The fields of the page's main POST form as a browser would send them, unchanged."""
    parser = _FormParser()
    parser.feed(html)
    return parser.data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data: dict[str, object] = {}
        self._in_form = False
        self._done = False
        self._textarea: str | None = None
        self._select: str | None = None

    def _add(self, name, value):
        if name in self.data:
            current = self.data[name]
            self.data[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "form"
            and not self._done
            and (attrs.get("method") or "").lower() == "post"
            # The header's forms (sign out, the language switcher) are not the page's.
            and not any(
                header in (attrs.get("action") or "") for header in ("logout", "/i18n/setlang/")
            )
        ):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea:
            current = self.data[self._textarea]
            self.data[self._textarea] = (current if isinstance(current, str) else "") + data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def _check(world, role: str, name: str, entry: Url) -> list[str]:
    failures = []
    for method in ("get", "post"):
        expected_row = getattr(entry, method)
        if expected_row is None:
            continue
        expected = expected_row[ROLES.index(role)]
        # Without a CSRF token, only where the request would otherwise be let through.
        attempts = (True, False) if method == "post" and expected not in REFUSALS else (True,)
        for csrf in attempts:
            with transaction.atomic():
                client = _client(world, role)
                url = reverse(name, kwargs=entry.kwargs(world))
                data = entry.data(world)
                if method == "post" and entry.form_from_page:
                    page = client.get(url)
                    if page.status_code == 200:
                        data = {**_form_fields(page.content.decode()), **data}
                        data.pop("csrfmiddlewaretoken", None)
                # Compare the database only where it must not change (it is costly).
                watch = expected in REFUSALS or not csrf
                before = _snapshot() if watch else None
                response = _request(client, method, url, data, entry, csrf=csrf)
                after = _snapshot() if watch else None
                transaction.set_rollback(True)
            label = f"{method.upper()} {url} as {role}" + ("" if csrf else " without CSRF token")
            changed = _diff(before, after) if watch else []
            if not csrf:
                if response.status_code != 403:
                    failures.append(f"{label}: {response.status_code}, expected 403")
                if changed:
                    failures.append(f"{label}: changed {changed}")
                continue
            if not _status_matches(expected, response):
                where = response.get("Location", "")
                failures.append(f"{label}: {response.status_code} {where}, expected {expected}")
            if expected in REFUSALS and changed:
                failures.append(f"{label}: refused but changed {changed}")
            content = b"" if getattr(response, "streaming", False) else response.content
            body = content.decode(errors="replace")
            if role in {"anonymous", "official_b"} and MARKER_A in body:
                failures.append(f"{label}: shows country A's answers")
            if "<script>alert(1)</script>" in body:
                failures.append(f"{label}: an answer is not escaped")
            if response.get("Content-Type", "").startswith("text/html"):
                failures.extend(f"{label}: {v}" for v in csp_violations(body)[:3])
            # Nothing shown to a signed-in person may stay in a browser's or proxy's cache.
            if role != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
                failures.append(f"{label}: cacheable ({response.get('Cache-Control')!r})")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(countries, role):
    """Every URL of the matrix, as one person (the world is built once per person)."""
    world = world_build()
    failures = []
    for name in sorted(MATRIX):
        if name not in NAMED:
            continue  # reported by test_matrix_has_no_stale_entries
        failures.extend(_check(world, role, name, MATRIX[name]))
    assert not failures, "\n".join(failures)


def _dummy_kwargs(route: str, params: list[str]) -> dict:
    values = {"object_id": "1", "id": "1", "app_label": "auth", "content_type_id": "1"}
    return {param: values.get(param, "1") for param in params}


def test_admin_other_rule(countries):
    """ADMIN_OTHER_RULE: third-party admin pages refuse all but the reviewer, who gets no 500."""
    world = world_build()
    failures = []
    for name in sorted(n for n in NAMED if _is_other_admin(n)):
        route, params = NAMED[name]
        url = reverse(name, kwargs=_dummy_kwargs(route, params))
        for role in ROLES:
            with transaction.atomic():
                client = _client(world, role)
                before = _snapshot()
                response = client.get(url)
                after = _snapshot()
                transaction.set_rollback(True)
            if role == "reviewer":
                if response.status_code not in {200, 302, 403, 404}:
                    failures.append(f"GET {url} as reviewer: {response.status_code}")
            elif not _status_matches(ADMIN_LOGIN, response) and not _status_matches(
                LOGIN, response
            ):
                failures.append(f"GET {url} as {role}: {response.status_code}")
            elif _diff(before, after):
                failures.append(f"GET {url} as {role}: refused but changed {_diff(before, after)}")
    assert not failures, "\n".join(failures)
