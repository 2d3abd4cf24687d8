"""Entity-tag comparison for If-None-Match and If-Range (RFC 9110 §13)."""

from __future__ import annotations


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match_hits(header: str | None, etag: str) -> bool:
    """True when If-None-Match names this entity, so a 304 is the answer (weak comparison)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(_opaque(candidate) == _opaque(etag) for candidate in header.split(","))


def if_range_allows(header: str | None, etag: str) -> bool:
    """A Range is honoured unless If-Range names another entity (strong comparison)."""
    if not header:
        return True
    return header.strip() == etag and not etag.startswith("W/")
