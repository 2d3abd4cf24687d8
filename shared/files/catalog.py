"""Sharing rules for one stored file: finding it, describing it, removing it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import ids
from shared.accounts import listing
from shared.clock import iso
from shared.errors import BadRequest, FileNotFound
from shared.files import table
from shared.files.records import FileRecord
from shared.notifications import notify
from shared.storage import blobs, expiry_index
from shared.storage.names import file_blob_name


async def find_live(file_url: str, now: datetime) -> FileRecord:
    """The record if it may be served now; missing, expired and used up look the same."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None or not record.is_live(now):
        raise FileNotFound()
    return record


async def remove(record: FileRecord) -> bool:
    """Delete in the order that never shows half a file: listing, record, bytes, index entry.

    A crash part way leaves the index entry, so the cleanup timer finishes the job. True if this
    call deleted the record (of concurrent removals, one does).
    """
    await listing.remove(record)
    removed = await table.delete(record.file_url)
    await blobs.delete(file_blob_name(record.file_url))
    await expiry_index.remove(
        expiry_index.entry_for(expiry_index.FILE, record.file_url, record.expires_at)
    )
    return removed


async def delete_with_key(file_url: str, key: str | None) -> None:
    """The owner's delete: 404 for an unknown file, 400 for a wrong key."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None:
        raise FileNotFound()
    if not key or not ids.secrets_match(key, record.key):
        raise BadRequest("Invalid unique key")
    if await remove(record):
        await notify.file_deleted(record)


def describe(record: FileRecord, *, base_url: str) -> dict[str, Any]:
    """Public metadata: never the key, never anything that consumes a download."""
    return {
        "original_name": record.user_filename,
        "content_type": record.content_type,
        "file_size": record.size,
        "download_count": record.download_count,
        "download_link": file_link(base_url, record.file_url),
        "created_at": iso(record.created_at),
        "expires_at": iso(record.expires_at),
        "max_downloads": record.max_downloads,
        "downloads_left": record.downloads_left,
    }


def file_link(base_url: str, file_url: str) -> str:
    return f"{base_url}/file/{file_url}"
