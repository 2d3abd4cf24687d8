"""Sharing rules for one stored file: finding it and removing it."""

from __future__ import annotations

from datetime import datetime

from shared import ids
from shared.accounts import listing
from shared.errors import BadRequest, FileNotFound
from shared.files import table
from shared.files.records import FileRecord
from shared.storage import blobs, expiry_index
from shared.storage.names import file_blob_name


async def find_live(file_url: str, now: datetime) -> FileRecord:
    """The record if it may be served now, with ended leases given back (FileRecord.reaped);
    missing, expired and used up look the same."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None or not record.is_live(now):
        raise FileNotFound()
    return record.reaped(now)


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


async def find(file_url: str) -> FileRecord:
    """The record, live or not yet swept, for its owner's actions; 404 if there is none."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None:
        raise FileNotFound()
    return record


async def find_owned(file_url: str, key: str | None) -> FileRecord:
    """The record if `key` is its owner secret: 404 for an unknown file, 400 for a wrong key."""
    record = await find(file_url)
    if not key or not ids.secrets_match(key, record.key):
        raise BadRequest("Invalid unique key")
    return record


async def delete_with_key(file_url: str, key: str | None) -> None:
    """The owner's delete: 404 for an unknown file, 400 for a wrong key."""
    await remove(await find_owned(file_url, key))


def file_link(base_url: str, file_url: str) -> str:
    return f"{base_url}/file/{file_url}"
