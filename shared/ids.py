"""Public ids and owner secrets: unguessable, URL-safe, compared in constant time."""

from __future__ import annotations

import hmac
import re
import secrets
import uuid

# 12 random bytes: 96 bits, 16 URL-safe characters.
_FILE_URL_BYTES = 12
_FILE_URL_RE = re.compile(r"^[A-Za-z0-9_-]{16}(\.[a-z0-9]{1,16})?$")


def new_file_url(ext: str = "") -> str:
    """A fresh public id; `ext` (".mp4") is appended when the uploader asked for it."""
    return secrets.token_urlsafe(_FILE_URL_BYTES) + ext


def new_key() -> str:
    """The owner's delete key, shaped like the contract's example (a UUID4)."""
    return str(uuid.uuid4())


def is_valid_file_url(value: str) -> bool:
    """Cheap shape check, so junk never reaches storage."""
    return bool(_FILE_URL_RE.match(value))


def secrets_match(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
