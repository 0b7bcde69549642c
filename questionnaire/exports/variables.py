"""Stata and SPSS variable names and labels for the columns of exports.columns.

Stata names are at most 32 characters of letters, digits and underscores, not
starting with a digit, not a reserved word; SPSS takes up to 64 bytes and tells
names apart regardless of case. One name that satisfies both is made for each
column ("q1.links.link1.url" becomes "q1_links_link1_url"), the same in the
.dta, the .sav and the XLSX codebook's "variable" column, which maps it to the
column's name; the variable label starts with that name too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME_MAX = 32
_NOT_NAME_RE = re.compile(r"[^A-Za-z0-9_]")
# Stata's reserved names (and str1...str2045, matched below) and SPSS's reserved keywords.
RESERVED = {
    *("_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long"),
    *("_n", "_pi", "_pred", "_rc", "_skip", "strl", "using", "with"),
    *("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to"),
}
_STATA_STR_RE = re.compile(r"str[0-9]+", re.IGNORECASE)

# Variable labels hold at most 80 characters in Stata and 256 bytes (UTF-8) in SPSS.
STATA_LABEL_MAX_CHARS = 80
SPSS_LABEL_MAX_BYTES = 256


def _is_reserved(name: str) -> bool:
    return name.lower() in RESERVED or bool(_STATA_STR_RE.fullmatch(name))


def variable_names(names: Iterable[str], *, labelled: Iterable[bool] = ()) -> list[str]:
    """A valid, unique Stata / SPSS variable name for each column name, in order.

    `labelled` says which columns have value labels: pyreadstat names a variable's value
    labels after it followed by their count so far ("q4_answer0", "q8_answer_ai12"), and a
    .dta label name holds 32 characters too, so those names leave room for the count.
    """
    names = list(names)
    labelled = list(labelled) or [False] * len(names)
    count_digits = len(str(max(sum(labelled) - 1, 0)))
    taken: set[str] = set()
    made = []
    for name, has_labels in zip(names, labelled, strict=True):
        name_max = NAME_MAX - count_digits if has_labels else NAME_MAX
        base = _NOT_NAME_RE.sub("_", name) or "v"
        if base[0].isdigit():
            base = f"v_{base}"
        if _is_reserved(base):
            base = f"{base}_v"
        candidate, number = base[:name_max], 1
        # Told apart regardless of case (SPSS); a cut name may meet another one.
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = base[: name_max - len(suffix)] + suffix
        taken.add(candidate.lower())
        made.append(candidate)
    return made


def shortened(text: str, *, max_chars: int | None = None, max_bytes: int | None = None) -> str:
    """`text` cut with "…" to fit a label's limit (labels only: values are never cut)."""

    def fits(candidate: str) -> bool:
        return (max_chars is None or len(candidate) <= max_chars) and (
            max_bytes is None or len(candidate.encode("utf-8")) <= max_bytes
        )

    if fits(text):
        return text
    cut = len(text)
    while cut and not fits(text[:cut].rstrip() + "…"):
        cut -= 1
    return text[:cut].rstrip() + "…"


def column_variable_names(columns) -> list[str]:
    """The variable names of exports.columns' columns (the .dta's, the .sav's, the codebook's)."""
    return variable_names(
        (column.name for column in columns), labelled=(bool(c.value_labels) for c in columns)
    )
