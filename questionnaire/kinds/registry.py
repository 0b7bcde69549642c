"""The registry of answer kinds: the kind each part's "kind" names in an edition."""

from __future__ import annotations

from questionnaire.kinds.base import Kind

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make `kind` available to editions under its name; a name is registered once."""
    if kind.name in KINDS:
        raise ValueError(f"a kind named {kind.name!r} is registered already")
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests register throwaway kinds and remove them after)."""
    del KINDS[name]


def get_kind(name: str) -> Kind:
    return KINDS[name]
