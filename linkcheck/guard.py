"""The guarded connection the link checker fetches through: only public addresses, one deadline.

`GuardedBackend` is the httpcore network backend of the checker's client, so
every TCP connection (the first request and every redirect hop) resolves the
name once, refuses the whole name if ANY of its addresses is not public (a DNS
answer mixing a public and a private address is how rebinding reaches inside),
and connects to the checked address itself. TLS still verifies the certificate
against the name (httpcore passes the URL's host as server_hostname, so SNI and
the Host header are the name). Reads and writes stop at the check's overall
deadline, however slowly a server drips its bytes.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any

import certifi
import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _

# One TLS context for every check: building one reads the CA bundle (milliseconds).
_ssl_context = ssl.create_default_context(cafile=certifi.where())


class RefusedAddress(Exception):
    """The host resolves to an address the checker must not reach; nothing was sent."""


class NameNotResolved(Exception):
    """The host name has no address."""


def allowed_test_hosts() -> frozenset[str]:
    """The test allow-list: never in production, whatever the setting says."""
    if settings.PRODUCTION:
        return frozenset()
    return frozenset(settings.LINKCHECK_ALLOWED_TEST_HOSTS)


def address_refusal(address: str, *, port: int, allowed: Iterable[str] = ()) -> str:
    """Why a resolved address must not be reached, in words; "" if it is a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return _("“%(address)s” is not an IP address") % {"address": address}
    if str(ip) in allowed or f"{ip}:{port}" in allowed:
        return ""
    # ::ffff:10.0.0.1 reaches 10.0.0.1: judge the IPv4 address it carries.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    reasons = (
        (ip.is_loopback, _("a loopback address")),
        (ip.is_link_local, _("a link-local address (such as a cloud metadata service)")),
        (ip.is_private, _("a private address")),
        (ip.is_multicast, _("a multicast address")),
        (ip.is_reserved or ip.is_unspecified, _("a reserved address")),
        (not ip.is_global, _("not a public address")),
    )
    for refused, reason in reasons:
        if refused:
            return _("the host resolves to %(address)s, %(reason)s") % {
                "address": ip,
                "reason": reason,
            }
    return ""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the tests patch this to simulate DNS answers)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise NameNotResolved(str(error)) from error
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes stop at the check's overall deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise error("the overall time limit was reached")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        stream = self._stream.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves once, refuses any non-public address, connects to the address it checked."""

    def __init__(self, *, deadline: float, allowed: frozenset[str]):
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline
        self._allowed = allowed

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = resolve(host, port)
        if not addresses:
            raise NameNotResolved(host)
        for address in addresses:
            refusal = address_refusal(address, port=port, allowed=self._allowed)
            if refusal:
                raise RefusedAddress(refusal)
        last_error: Exception | None = None
        for address in addresses:
            left = self._deadline - time.monotonic()
            if left <= 0:
                break
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=left if timeout is None else min(timeout, left),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
                continue
            return _DeadlineStream(stream, self._deadline)
        raise last_error or httpcore.ConnectTimeout("the overall time limit was reached")

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never asked for
        raise RefusedAddress("unix sockets are not checked")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool that uses GuardedBackend.

    httpx 0.28 has no argument for a network backend, so the pool is replaced
    after construction (`_pool` is what HTTPTransport.handle_request uses).
    """

    def __init__(self, *, deadline: float, allowed: frozenset[str]):
        super().__init__(verify=_ssl_context, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context,
            max_connections=2,
            network_backend=GuardedBackend(deadline=deadline, allowed=allowed),
        )
