"""Uploaded names made safe to store, and to send back in Content-Disposition."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_MAX_NAME_CHARS = 255
# C0/C1 controls, and bidi overrides that would make "gnp.exe" display as "exe.png".
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
_EXT = re.compile(r"^\.[a-z0-9]{1,16}$")


def sanitize_filename(raw: str | None) -> str:
    """The last path segment, without control characters, never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _trim(_CONTROL.sub("", name))
    if not name:
        return "file"
    if len(name) > _MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 16:
            name = _trim(stem[: _MAX_NAME_CHARS - len(ext) - 1]) + "." + ext
        else:
            name = _trim(name[:_MAX_NAME_CHARS])
    return name


def _trim(name: str) -> str:
    """Without leading or trailing whitespace and dots (so sanitising twice changes nothing)."""
    return _EDGES.sub("", name)


def extension_of(name: str) -> str:
    """ ".mp4" for "clip.MP4"; "" when there is none or it is not plain alphanumerics."""
    _, dot, ext = name.rpartition(".")
    candidate = f".{ext.lower()}" if dot else ""
    return candidate if _EXT.match(candidate) else ""


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback plus the exact name as RFC 5987 `filename*`."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\%' else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
