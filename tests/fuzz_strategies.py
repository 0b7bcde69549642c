"""Hypothesis strategies for hostile input, shared by the fuzz tests.

What officials (or an attacker) may send: any Unicode, control characters,
mixed scripts and directions, very long strings, HTML/JS and template
payloads, spreadsheet formulas, huge lists, and JSON of the wrong type.
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Markup that must come back escaped wherever it is shown.
HTML_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
)
OTHER_PAYLOADS = (
    "{{ 7|add:7 }}{% debug %}",
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "' OR 1=1 --",
    "\u202egnp.exe",
    "Ўзбекистон · مرحبا · 中文 · עברית · 😀 · e\u0301",
    "\r\nSet-Cookie: x=y",
    "../../etc/passwd",
    "null",
    "",
    " ",
)
PAYLOADS = HTML_PAYLOADS + OTHER_PAYLOADS

control_text = st.text(
    alphabet=st.characters(max_codepoint=0x1F)
    | st.sampled_from("\x7f\x85\u2028\u2029\ufeff\u200b\u200f\u202e"),
    min_size=1,
    max_size=40,
)
mixed_scripts = st.lists(
    st.sampled_from(["Ўзбекистон", "مرحبا", "中文", "עברית", "Ελληνικά", "हिन्दी", "😀", "A"]),
    min_size=1,
    max_size=12,
).map(" ".join)
long_text = st.builds(
    lambda chunk, times: chunk * times,
    st.text(min_size=1, max_size=8),
    st.integers(min_value=300, max_value=4000),
)
nasty_text = st.one_of(
    st.text(max_size=200),
    control_text,
    mixed_scripts,
    long_text,
    st.sampled_from(PAYLOADS),
    st.tuples(st.sampled_from(PAYLOADS), st.text(max_size=30)).map("".join),
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
)
json_any = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=25,
)
# JSON text json.dumps never writes but a client may send: numbers no float or
# database holds, non-standard constants, and nesting past Python's recursion limit.
UNREPRESENTABLE_NUMBERS = ("1e999", "-1e999", "Infinity", "-Infinity", "NaN", "1" * 5000)
# ... and, as a version, numbers no page was ever built on.
HOSTILE_NUMBERS = (
    *UNREPRESENTABLE_NUMBERS,
    "4294967296",
    "1.5",
    "true",
    "0",
    "-1",
)
hostile_number = st.sampled_from(HOSTILE_NUMBERS)
unrepresentable_number = st.sampled_from(UNREPRESENTABLE_NUMBERS)
_depth = st.integers(min_value=1_001, max_value=50_000)
deep_json = st.one_of(
    _depth.map(lambda depth: "[" * depth + "]" * depth),
    _depth.map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
)
huge_list = st.builds(
    lambda item, times: [item] * times, json_scalar, st.integers(min_value=101, max_value=3000)
)
wrong_type = st.one_of(json_any, huge_list)

# Each example runs in its own savepoint (rolled back), so function-scoped
# fixtures are safe to share between examples.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


ERROR_MARKERS = ('role="alert"', "invalid-feedback", "errorlist")


def shows_error(body: str) -> bool:
    """A refused form says why, where a screen reader announces it."""
    return any(marker in body for marker in ERROR_MARKERS)


def unescaped_markup(value: str, body: str) -> bool:
    """Does `body` contain one of the HTML payloads inside `value` raw, unescaped?"""
    return any(payload in value and payload in body for payload in HTML_PAYLOADS)
