"""Checks of rendered pages shared by the access-matrix and fuzz tests."""

import re

# <script> without src= (a script body), except JSON data blocks from |json_script.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=[\"']", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def csp_violations(html: str) -> list[str]:
    """What the Content-Security-Policy would block in a page: inline scripts, styles, handlers."""
    found = []
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("inline style", INLINE_STYLE),
        ("inline event handler", INLINE_HANDLER),
    ):
        for match in pattern.finditer(html):
            start = max(0, match.start() - 60)
            found.append(f"{name}: …{html[start : match.end() + 60]}…")
    return found
