"""Public ids and owner secrets: unguessable, URL-safe, compared in constant time."""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from datetime import datetime

# 12 random bytes: 16 URL-safe characters, about 96 bits once the first is alphanumeric.
_FILE_URL_BYTES = 12
_FILE_URL_RE = re.compile(r"^[A-Za-z0-9_-]{16}(\.[a-z0-9]{1,16})?$")
_LATEST_MS = 10**15


def new_file_url(ext: str = "") -> str:
    """A fresh public id; `ext` (".mp4") is appended when the uploader asked for it.

    Ids never start with "-" or "_", so a bare id never reads as an option on a command line
    (`fileshare rm -x…`); redrawing keeps them uniform over what remains (~95.9 bits).
    """
    while True:
        candidate = secrets.token_urlsafe(_FILE_URL_BYTES)
        if candidate[0].isalnum():
            return candidate + ext


def new_key() -> str:
    """The owner's delete key, shaped like the contract's example (a UUID4)."""
    return str(uuid.uuid4())


def is_valid_file_url(value: str) -> bool:
    """Cheap shape check, so junk never reaches storage."""
    return bool(_FILE_URL_RE.match(value))


def secrets_match(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def newest_first(now: datetime) -> str:
    """29 hex digits: (10**15 - `now` in ms) then 16 random ones, so string order is newest first.

    As a RowKey it makes a partition query return the newest rows first.
    """
    inverted = _LATEST_MS - int(now.timestamp() * 1000)
    return f"{inverted:013x}{secrets.token_hex(8)}"
