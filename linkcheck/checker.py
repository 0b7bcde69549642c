"""Fetch one URL safely and say in words what happened.

The address check is done on the connection actually made, by the guarded
transport of linkcheck.guard (every connection, every redirect hop).

No proxy from the environment is used (trust_env=False): a proxy would make the
connection, out of reach of the check. Redirects are followed here, one hop at
a time, at most LINKCHECK_MAX_REDIRECTS. A body is read to at most
LINKCHECK_MAX_BODY_BYTES, then the connection is closed. The whole check ends
after LINKCHECK_TOTAL_TIMEOUT seconds, however slowly a server drips its bytes.
"""

from __future__ import annotations

import hashlib
import re
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from linkcheck.guard import GuardedTransport, NameNotResolved, RefusedAddress, allowed_test_hosts
from linkcheck.models import LinkCheck
from questionnaire.kinds import URL_MAX_LENGTH, url_href

State = LinkCheck.State

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# A server that says "you may not" or "too many requests" did answer: the site exists.
ANSWERED_REFUSALS = {401, 403, 405, 406, 429}
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_OTHER_SCHEMES = {"javascript", "data", "mailto", "file", "ftp", "tel", "vbscript"}


@dataclass
class Target:
    """What to fetch for a URL as typed: the key it is stored under, the addresses to try."""

    url: str
    key: str
    candidates: list[str] = field(default_factory=list)
    refusal: str = ""


@dataclass
class Result:
    state: str
    final_url: str = ""
    status_code: int | None = None
    redirect_chain: list[dict[str, Any]] = field(default_factory=list)
    tls_problem: str = ""
    response_ms: int | None = None
    error: str = ""


# --- What to fetch -------------------------------------------------------------


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def _host_port(netloc: str, scheme: str) -> tuple[str, str]:
    host_port = netloc.rsplit("@", 1)[-1]
    parsed = urlsplit(f"{scheme}://{host_port}")
    try:
        port = parsed.port
    except ValueError:
        port = None
    default = 443 if scheme == "https" else 80
    return (parsed.hostname or ""), str(port or default)


def link_target(typed: str) -> Target:
    """The normalised URL, key and candidate addresses for a URL as an official typed it.

    A malformed, too long or non-http(s) URL gets a `refusal` in words and no candidate.
    Scheme-less addresses ("www.ek.uz") are tried with https, then http.
    """
    text = (typed or "").strip()
    if len(text) > URL_MAX_LENGTH:
        return Target(
            url=text[:200],
            key=_key(text),
            refusal=_("longer than %(limit)d characters") % {"limit": URL_MAX_LENGTH},
        )
    first = text.split()[0].rstrip(",;") if text else ""
    scheme_match = _SCHEME_RE.match(first)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    # "gov.uz:8080/x" also starts like a scheme: only "x://" or a known one is one.
    if scheme not in {"", "http", "https"} and ("://" in first or scheme in _OTHER_SCHEMES):
        return Target(
            url=first, key=_key(first), refusal=_("only http and https addresses are checked")
        )
    href = url_href(text)
    has_scheme = bool(re.match(r"^https?://", first, re.IGNORECASE))
    if href is None and has_scheme:
        # The test allow-list lets "http://127.0.0.1:8123/" through the public-host rule.
        host, port = _host_port(_split_netloc(first), scheme)
        allowed = allowed_test_hosts()
        if host in allowed or f"{host}:{port}" in allowed:
            href = first
    if href is None:
        return Target(url=first or text, key=_key(first or text), refusal=_("not a web address"))
    try:
        url = httpx.URL(href)
    except (httpx.InvalidURL, ValueError):
        return Target(url=first, key=_key(first), refusal=_("not a web address"))
    normal = str(url.copy_with(fragment=None))
    if has_scheme:
        return Target(url=normal, key=_key(normal), candidates=[normal])
    # url_href made it "http://…"; keep the key scheme-less, try https first.
    rest = normal.split("://", 1)[1]
    return Target(
        url=f"*://{rest}",
        key=_key(f"*://{rest}"),
        candidates=[f"https://{rest}", f"http://{rest}"],
    )


def _split_netloc(url: str) -> str:
    return re.split(r"[/?#\\]", url.split("://", 1)[1], maxsplit=1)[0]


# --- Fetching --------------------------------------------------------------------


def _host_turn(host: str, deadline: float) -> bool:
    """Wait for this host's turn (one request per host per interval, across workers).

    False if the turn did not come before the deadline.
    """
    interval = settings.LINKCHECK_HOST_INTERVAL_SECONDS
    if interval <= 0:
        return True
    while not cache.add(f"linkcheck:host:{host.lower()}", 1, timeout=interval):
        if time.monotonic() + 0.2 > deadline:
            return False
        time.sleep(0.2)
    return True


def _certificate_problem(error: BaseException) -> str:
    """The certificate problem behind a connection error, in words, or ""."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            message = (seen.verify_message or str(seen)).lower()
            if "expired" in message:
                return _("the certificate has expired")
            if "self-signed" in message or "self signed" in message:
                return _("the certificate is self-signed")
            if "hostname" in message or "ip address mismatch" in message:
                return _("the certificate is for another site name")
            if "issuer" in message:
                return _("the certificate is not issued by a known authority")
            return _("the certificate could not be verified (%(why)s)") % {"why": message}
        seen = seen.__cause__ or seen.__context__
    return ""


def _failure(error: BaseException, *, timeout: float) -> Result:
    if isinstance(error, RefusedAddress):
        return Result(State.NOT_CHECKED, error=str(error))
    if isinstance(error, NameNotResolved):
        return Result(State.DID_NOT_ANSWER, error=_("the site name does not exist (no address)"))
    if isinstance(error, httpx.TimeoutException):
        return Result(
            State.DID_NOT_ANSWER,
            error=_("the site did not answer within %(seconds)s seconds")
            % {"seconds": f"{timeout:g}"},
        )
    problem = _certificate_problem(error)
    if problem:
        return Result(State.CERTIFICATE_PROBLEM, tls_problem=problem, error=problem)
    if isinstance(error, httpx.ConnectError):
        return Result(State.DID_NOT_ANSWER, error=_("the connection was refused or failed"))
    return Result(
        State.DID_NOT_ANSWER,
        error=_("the site's answer was not understood (%(why)s)") % {"why": type(error).__name__},
    )


def _classify(status: int, chain: list[dict]) -> tuple[str, str]:
    if status in {404, 410}:
        return State.NOT_FOUND, _("the page was not found (HTTP %(code)d)") % {"code": status}
    if status >= 500:
        return State.DID_NOT_ANSWER, _("the server reported an error (HTTP %(code)d)") % {
            "code": status
        }
    if status >= 400 and status not in ANSWERED_REFUSALS:
        return State.NOT_FOUND, _("the server refused the address (HTTP %(code)d)") % {
            "code": status
        }
    if chain:
        return State.REDIRECTS, ""
    return State.REACHABLE, ""


def fetch(url: str) -> Result:
    """Fetch `url` (http or https), following redirects by hand, within every limit."""
    started = time.monotonic()
    total = settings.LINKCHECK_TOTAL_TIMEOUT
    deadline = started + total
    timeout = httpx.Timeout(
        connect=settings.LINKCHECK_CONNECT_TIMEOUT,
        read=settings.LINKCHECK_READ_TIMEOUT,
        write=settings.LINKCHECK_READ_TIMEOUT,
        pool=settings.LINKCHECK_CONNECT_TIMEOUT,
    )
    headers = {
        "User-Agent": settings.LINKCHECK_USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        # Raw bytes, never decompressed: the body limit is a limit on what is read.
        "Accept-Encoding": "identity",
    }
    chain: list[dict[str, Any]] = []
    seen = {url}
    current = url
    transport = GuardedTransport(deadline=deadline, allowed=allowed_test_hosts())
    with httpx.Client(
        transport=transport, timeout=timeout, headers=headers, follow_redirects=False
    ) as client:
        for _hop in range(settings.LINKCHECK_MAX_REDIRECTS + 1):
            host = httpx.URL(current).host
            if not _host_turn(host, deadline):
                return Result(
                    State.NOT_CHECKED,
                    redirect_chain=chain,
                    error=_("the site was busy with other checks; it will be checked again"),
                )
            try:
                with client.stream("GET", current) as response:
                    read = 0
                    for chunk in response.iter_raw():
                        read += len(chunk)
                        if read >= settings.LINKCHECK_MAX_BODY_BYTES:
                            break  # enough to know it answers: the rest is never read
                    status = response.status_code
                    location = response.headers.get("location", "")
            except (httpx.HTTPError, RefusedAddress, NameNotResolved) as error:
                result = _failure(error, timeout=min(total, settings.LINKCHECK_READ_TIMEOUT))
                if isinstance(error, httpx.TimeoutException) and time.monotonic() >= deadline:
                    result.error = _(
                        "the site did not finish answering within %(seconds)s seconds"
                    ) % {"seconds": f"{total:g}"}
                result.redirect_chain = chain
                result.final_url = current
                return result
            elapsed_ms = int((time.monotonic() - started) * 1000)
            if status in REDIRECT_STATUSES and location:
                following = urljoin(current, location.strip())
                chain.append({"url": current, "status": status, "location": following})
                if urlsplit(following).scheme.lower() not in {"http", "https"}:
                    return Result(
                        State.NOT_CHECKED,
                        final_url=following[:URL_MAX_LENGTH],
                        redirect_chain=chain,
                        error=_("redirects to an address that is not a web page"),
                    )
                if following in seen:
                    return Result(
                        State.DID_NOT_ANSWER,
                        final_url=following,
                        status_code=status,
                        redirect_chain=chain,
                        response_ms=elapsed_ms,
                        error=_("the redirects go round in a loop"),
                    )
                seen.add(following)
                current = following
                continue
            state, error = _classify(status, chain)
            return Result(
                state,
                final_url=current,
                status_code=status,
                redirect_chain=chain,
                response_ms=elapsed_ms,
                error=error,
            )
    return Result(
        State.DID_NOT_ANSWER,
        final_url=current,
        redirect_chain=chain,
        error=_("more than %(limit)d redirects") % {"limit": settings.LINKCHECK_MAX_REDIRECTS},
    )


def check(target: Target) -> Result:
    """Check a Target: each candidate address in turn until one answers (https, then http)."""
    if target.refusal:
        return Result(State.NOT_CHECKED, error=target.refusal)
    first: Result | None = None
    for candidate in target.candidates:
        result = fetch(candidate)
        if result.state in {State.REACHABLE, State.REDIRECTS, State.NOT_FOUND}:
            return result
        first = first or result
    assert first is not None
    return first
