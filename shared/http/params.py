"""Values from request text: whole numbers and flags, each spelt one way for every endpoint."""

from __future__ import annotations

_MAX_DIGITS = 18
_TRUE = frozenset({"1", "true", "yes", "on"})


def whole_number(text: str | None) -> int | None:
    """The value of a plain run of ASCII digits, else None (no sign, space, or exponent).

    ASCII only: str.isdigit also accepts '¹' and '٣'.
    """
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def is_true(value: str | None) -> bool:
    """A flag such as `?include_ext=` or `?bot=`: 1, true, yes or on, in any case; else false."""
    return value is not None and value.lower() in _TRUE
