"""Whole numbers from request text: ASCII digits only (str.isdigit also accepts '¹' and '٣')."""

from __future__ import annotations

_MAX_DIGITS = 18


def whole_number(text: str | None) -> int | None:
    """The value of a plain run of ASCII digits, else None (no sign, space, or exponent)."""
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
