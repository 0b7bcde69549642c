"""Fixtures for the end-to-end suite: Debian's chromium driven by Playwright, axe-core, screenshots.

Playwright's own browser download does not work on the CI machine, so the
suite drives the distribution's /usr/bin/chromium (`apt-get install chromium`,
see .ci/run). Every test runs against pytest-django's live server, in-process:
with the embedded default Celery tasks run eagerly inside the server thread;
with a broker, tests that need a task done request `celery_worker_process`.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from accounts.models import User

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("MSQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long a single browser action may wait (ms): generous for a loaded 2-core CI box.
ACTION_TIMEOUT_MS = 15_000
# Assertions wait as long as actions: a page answering a save under CI load may take seconds.
expect.set_options(timeout=ACTION_TIMEOUT_MS)
# The page autosaves 2 s after typing stops; allow for a slow server on top.
AUTOSAVE_TIMEOUT_MS = 20_000
# What axe findings fail a page; "moderate" and "minor" are reported, not fatal.
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One chromium for the whole browser package, closed when its last test is done.

    Package scope (not session) because Playwright's sync API keeps an asyncio
    loop running in this thread while the browser is open, and Django's ORM
    refuses to run under a running loop; the flag that allows it is set only
    while the browser lives, so the rest of the suite keeps Django's guard.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site_url(live_server, settings) -> str:
    """The live server's address, also used for the links put in e-mails."""
    settings.SITE_URL = live_server.url
    return live_server.url


class Contexts:
    """Opens browser contexts (one per person or per tab group) and closes them after the test.

    Each context records JavaScript errors and Content-Security-Policy
    refusals, which `audit` turns into failures: an inline script the CSP
    blocks is a feature that silently does not work.
    """

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.opened: list[BrowserContext] = []

    def new(self, *, user: User | None = None, **options) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.problems = []  # type: ignore[attr-defined]
        context.on("page", lambda page: _watch(page, context.problems))
        if user is not None:
            sign_in_by_cookie(context, user, base_url=self.base_url)
        self.opened.append(context)
        return context

    def page(self, *, user: User | None = None, **options) -> Page:
        return self.new(user=user, **options).new_page()

    def close(self) -> None:
        for context in self.opened:
            context.close()


def _watch(page: Page, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(f"{page.url}: JavaScript error: {error}"))

    def console(message) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            problems.append(f"{page.url}: {text}")

    page.on("console", console)


@pytest.fixture
def contexts(browser, site_url) -> Iterator[Contexts]:
    opened = Contexts(browser, site_url)
    yield opened
    opened.close()


@pytest.fixture
def page(contexts) -> Page:
    """An anonymous page on the live server."""
    return contexts.page()


def sign_in_by_cookie(context: BrowserContext, user: User, *, base_url: str) -> None:
    """Give a context the session of `user` without the sign-in form (tested on its own)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def label(text: str) -> re.Pattern:
    """Matches a field's label exactly, with or without crispy's required-field "*"."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in test-output/screenshots/<name>.png (overwritten on each run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_report(violations: list[dict]) -> str:
    """axe findings as lines a person can act on: rule, impact, what to fix, where."""
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl'].split('?')[0]})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def audit(page: Page, name: str) -> None:
    """Screenshot the page; fail on serious/critical axe findings, JS errors, CSP refusals."""
    page.wait_for_load_state("load")
    screenshot(page, name)
    results = _axe.run(page).response
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {name} ({page.url}):\n{axe_report(blocking)}"
    problems = getattr(page.context, "problems", [])
    assert not problems, f"browser problems on {name}:\n" + "\n".join(problems)
