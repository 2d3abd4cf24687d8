"""Sizes as people read them, one convention everywhere (web page, download page, CLI, API).

KB, MB, GB and TB are powers of 1024, as the contract words its limit ("File size exceeds the
limit (100MB)" for 104,857,600 bytes): 1 MB = 1024 KB = 1,048,576 bytes.
"""

from __future__ import annotations

_UNITS = ("KB", "MB", "GB", "TB")


def human_size(size: int) -> str:
    """`999 bytes`, `1.0 KB`, `2.4 MB`: one decimal from a kilobyte (1024 bytes) up."""
    if size < 1024:
        return f"{size} byte" if size == 1 else f"{size} bytes"
    value = size / 1024
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
