"""Web-address rules: which typed URL becomes a link, and to where.

One place for the rule the links kind checks, the pages and the PDF link by, and
the link checker (linkcheck/) follows.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# Where a URL's host and port end. Browsers read a backslash as a slash in http(s) URLs.
_AUTHORITY_END_RE = re.compile(r"[/?#\\]")
# A plain decimal as officials write a percentage: ASCII digits, at most one decimal


def _port_is_valid(port: str) -> bool:
    return not port or (port.isascii() and port.isdigit() and 0 < int(port) <= 65535)


def _host_is_public(host: str) -> bool:
    """Whether a host can name a site on the internet: an IP address, or a dotted name
    whose last label is a word (a top-level domain: "uz", "рф", "xn--p1ai").

    Names in any script are accepted (президент.рф), percent-encoded or not; "localhost",
    "gov" or "." are not a public portal's address.
    """
    name = unquote(host).removesuffix(".")
    labels = name.split(".")
    if len(labels) < 2:
        return False
    if all(label.isascii() and label.isdigit() for label in labels):
        return _is_ip_address(name)
    for label in labels:
        if not 0 < len(label) <= 63 or label.startswith("-") or label.endswith("-"):
            return False
        if not all(char.isalnum() or char in "-_" for char in label):
            return False
    top = labels[-1]
    return (len(top) >= 2 and top.isalpha()) or (top.startswith("xn--") and top.isascii())


def _is_ip_address(text: str, *, version: int | None = None) -> bool:
    """Whether `text` is a public IP address: a private, loopback or reserved one
    (10.0.0.1, 127.0.0.1, [::1]) is no portal address the public can reach."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return (version is None or address.version == version) and address.is_global


def _authority_is_valid(authority: str) -> bool:
    """Whether "host[:port]" names a public host on a valid port.

    A user name before the host is refused: no public portal needs one, and
    "https://gov.uz@evil.example" would link a reviewer to evil.example.
    """
    if "@" in authority:
        return False
    host_port = authority
    if host_port.startswith("["):
        host, bracket, after = host_port[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            return False
        return _is_ip_address(host, version=6) and _port_is_valid(after[1:])
    host, _colon, port = host_port.partition(":")
    return _host_is_public(host) and _port_is_valid(port)


def url_href(url: str) -> str | None:
    """The address to link to for a URL as an official typed it, or None if it is not one.

    "www.ek.uz" becomes "http://www.ek.uz"; a remark after the address
    ("https://gov.uz (main portal)") is left out of the link, and so is a comma
    or semicolon before the next one; fragments and percent-encoded queries are
    kept exactly. The host must be a public one (a dotted name or an IP address,
    a port in range): "http://" alone or "http://localhost" is not an address.
    Only http(s) addresses are linked: "javascript:" and the like never become a link.
    """
    candidate = url.strip().split()[0].rstrip(",;") if url.strip() else ""
    if not candidate:
        return None
    if _SCHEME_RE.match(candidate):
        scheme, rest = candidate.split("://", 1)
        if scheme.lower() not in {"http", "https"}:
            return None
        authority = _AUTHORITY_END_RE.split(rest, maxsplit=1)[0]
        return candidate if _authority_is_valid(authority) else None
    if candidate.startswith("//"):
        candidate = candidate[2:]
    authority = _AUTHORITY_END_RE.split(candidate, maxsplit=1)[0]
    # Without a scheme, "name@host" is an e-mail address, not a link.
    if not _authority_is_valid(authority):
        return None
    return f"http://{candidate}"
