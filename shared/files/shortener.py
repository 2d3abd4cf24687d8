"""The seed's link shortener: a small .txt whose whole content is one http(s) URL redirects to it.

Decided once, when the file is published, and kept on its record: a download never has to read
the bytes to find out.
"""

from __future__ import annotations

import re

MAX_BYTES = 2048
_URL = re.compile(r"https?://[^\s<>\"'\\]+", re.IGNORECASE)


def applies(ext: str, size: int) -> bool:
    return ext == ".txt" and size <= MAX_BYTES


def target(content: bytes) -> str | None:
    """The URL the content consists of, or None."""
    try:
        text = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return text if _URL.fullmatch(text) else None
