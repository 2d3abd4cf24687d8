"""Byte counts for people, in the contract's units: 1 KB = 1024 bytes, 1 MB = 1024² bytes.

One spelling everywhere, the contract's ("File size exceeds the limit (100MB)"): a whole number
of a unit when the size is one, else one decimal, with no space before the unit.
"""

from __future__ import annotations

_UNITS = (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def human_size(size: int) -> str:
    """ "100MB" for 100 MiB, "2.4KB" for 2500 bytes, "18 bytes" below one KB."""
    for index, (unit, scale) in enumerate(_UNITS):
        if size < scale:
            continue
        whole, rest = divmod(size, scale)
        if not rest:
            return f"{whole}{unit}"
        value = f"{size / scale:.1f}"
        if value == "1024.0" and index:  # rounds up to one of the next unit
            return f"1.0{_UNITS[index - 1][0]}"
        return f"{value}{unit}"
    return "1 byte" if size == 1 else f"{size} bytes"
