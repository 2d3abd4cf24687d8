"""Sharing rules for one stored file: finding it, describing it, removing it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from shared import ids
from shared.accounts import groups, listing
from shared.clock import iso
from shared.errors import BadRequest, FileNotFound
from shared.files import file_counts, table
from shared.files.records import FileRecord
from shared.ops.crashpoints import crash_point
from shared.storage import blobs, expiry_index, keys, retry
from shared.storage.names import file_blob_name

_MAX_ATTEMPTS = 50


async def find_live(file_url: str, now: datetime) -> FileRecord:
    """The record if it may be served now; missing, expired, used up, withdrawn and in a deleted
    group look the same."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None or not await is_servable(record, now):
        raise FileNotFound()
    return record


async def is_servable(record: FileRecord, now: datetime) -> bool:
    """Live, and not in a group whose deletion began (a point read more, for group files only)."""
    if not record.is_live(now):
        return False
    return not (record.group_id and await groups.is_gone(record.group_id))


async def remove(record: FileRecord, *, withdraw: bool = True) -> bool:
    """Delete a file in steps that a retried delete or the cleanup timer can finish:
    1. a `file` index entry due at once: the timer's handle on an unfinished removal;
    2. the record withdrawn, a tombstone: unreachable from here on, yet a retry still finds it;
    3. the listing row (of the owner the tombstone names); 4. the bytes; 5. the record;
    6. the index entries. A crash between 2 and 5 leaves the file listed but not served until the
    retry or the next cleanup run. True if this call deleted the record (of concurrent removals,
    one does). `withdraw=False` skips 1 and 2, for the timer removing a file that has expired: it
    is unservable already, and the entry being processed is the handle.
    """
    filed = {record.expires_at}
    withdrawn: FileRecord | None = record
    if withdraw:
        await expiry_index.add(expiry_index.FILE, record.file_url, table.WITHDRAWN)
        filed.add(table.WITHDRAWN)
        withdrawn = await _withdraw(record)
    crash_point("delete.withdrawn")
    if withdrawn is not None:
        await listing.remove(withdrawn)
    await blobs.discard(file_blob_name(record.file_url))
    crash_point("delete.blob_deleted")
    removed = await table.delete(record.file_url)
    for earlier in (record, withdrawn):
        if earlier is not None and earlier.original_expiry is not None:
            filed.add(earlier.original_expiry)
    for due_at in filed:
        await expiry_index.remove(
            expiry_index.entry_for(expiry_index.FILE, record.file_url, due_at)
        )
    return removed


async def _withdraw(record: FileRecord) -> FileRecord | None:
    """The record withdrawn, as it stands now (a transfer may have named an owner meanwhile);
    None once it is gone."""
    for attempt in range(_MAX_ATTEMPTS):
        await retry.pause(attempt)
        if record.expires_at == table.WITHDRAWN:
            return record
        if record.etag and await table.withdraw(record):  # no ETag: written, never read back
            return record
        fresh = await table.get(record.file_url)
        if fresh is None:
            return None
        record = fresh
    raise RuntimeError(f"withdrawing {record.file_url} lost {_MAX_ATTEMPTS} races")


async def delete_with_key(file_url: str, key: str | None) -> None:
    """The owner's delete: 404 for an unknown file, 400 for a wrong key."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None:
        raise FileNotFound()
    if not key or not ids.secrets_match(key, record.key):
        raise BadRequest("Invalid unique key")
    await remove(record)


async def transfer(items: object, username: str, now: datetime) -> list[object]:
    """Bind anonymous uploads to an account by file_url + key; returns the items that failed."""
    if not isinstance(items, list):
        raise BadRequest("No data field in request body")
    failed: list[object] = []
    for item in items:
        if not await _claim(item, username, now):
            failed.append(item)
    return failed


async def _claim(item: object, username: str, now: datetime) -> bool:
    if not isinstance(item, dict):
        return False
    file_url, key = item.get("file_url"), item.get("key")
    if not isinstance(file_url, str) or not isinstance(key, str):
        return False
    try:
        record = await find_live(file_url, now)
    except FileNotFound:
        return False
    if record.group_id or not ids.secrets_match(key, record.key):
        return False
    if record.owner is None:
        if not await table.assign_owner(record, username):
            return False
        crash_point("transfer.owner_assigned")
        record = replace(record, owner=username)
    elif keys.user_key(record.owner) != keys.user_key(username):
        return False  # else: this account's already, a retry after a crash finishes the job
    await listing.add(record)
    # A delete that withdrew the record after the owner was named removed the listing row before
    # this wrote it: whoever looks last takes it back.
    latest = await table.get(file_url)
    if latest is None or not latest.is_live(now):
        await listing.remove(record)
        return False
    await file_counts.add_one(username)  # keeps MAX_FILES_PER_USER's count an upper bound
    return True


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
