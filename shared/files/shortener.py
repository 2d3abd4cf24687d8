"""The seed's link shortener: a small .txt whose whole content is one http(s) URL redirects to it.

Decided once, when the file is published, and kept on its record: a download never has to read
the bytes to find out. Only a URL that can be sent as a `Location` header is a link: an
international host is stored in its IDNA (punycode) form, other non-ASCII characters
percent-encoded; anything with control, format or space characters, a bad port or a host IDNA
refuses stays plain text. A download checks the stored target the same way, so a record written
before these rules never fails half-way through a (counted) redirect.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import SplitResult, quote, urlsplit

import idna

MAX_BYTES = 2048
_URL = re.compile(r"https?://[^\s<>\"'\\]+", re.IGNORECASE)
# Kept as they are when percent-encoding a path, query or fragment: RFC 3986's reserved and
# unreserved characters, and "%" so an already-encoded URL stays as it was.
_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def applies(ext: str, size: int) -> bool:
    return ext == ".txt" and size <= MAX_BYTES


def target(content: bytes) -> str | None:
    """The URL the content consists of, in the ASCII form a redirect sends, or None."""
    try:
        text = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return location(text)


def location(text: str | None) -> str | None:
    """`text` as a Location header value if it is one http(s) URL that can be one, else None."""
    if not text or not _URL.fullmatch(text):
        return None
    # Controls, format characters (zero-width, bidi), separators, private use, unassigned.
    if any(unicodedata.category(char)[0] in "CZ" for char in text):
        return None
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port  # port: ValueError when out of range
        if not host:
            return None
        ascii_host = host if host.isascii() else idna.encode(host, uts46=True).decode("ascii")
    except (ValueError, idna.IDNAError):
        return None
    netloc = _netloc(parts, ascii_host, port)
    url = f"{parts.scheme.lower()}://{netloc}{quote(parts.path, safe=_SAFE)}"
    if parts.query:
        url += f"?{quote(parts.query, safe=_SAFE)}"
    if parts.fragment:
        url += f"#{quote(parts.fragment, safe=_SAFE)}"
    return url if url.isascii() and url.isprintable() and " " not in url else None


def _netloc(parts: SplitResult, host: str, port: int | None) -> str:
    if parts.netloc.isascii():
        return parts.netloc
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{quote(userinfo, safe=_SAFE)}@" if userinfo else ""
    return f"{prefix}{host}{f':{port}' if port is not None else ''}"
