"""Every container, table and blob prefix the app uses, in one place (infra/ mirrors them)."""

from __future__ import annotations

CONTAINER = "fileshare"
FILE_BLOB_PREFIX = "f/"

FILES_TABLE = "files"
EXPIRY_TABLE = "expiry"

TABLES = (FILES_TABLE, EXPIRY_TABLE)


def file_blob_name(file_url: str) -> str:
    return f"{FILE_BLOB_PREFIX}{file_url}"
