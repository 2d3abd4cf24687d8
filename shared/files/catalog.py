"""Sharing rules for one stored file: finding it and removing it."""

from __future__ import annotations

import asyncio
from datetime import datetime

from shared import ids
from shared.accounts import groups, listing
from shared.errors import BadRequest, FileNotFound
from shared.files import table
from shared.files.records import FileRecord
from shared.notifications import notify
from shared.ops.crashpoints import crash_point
from shared.shares import table as shares_table
from shared.storage import blobs, expiry_index, retry
from shared.storage.names import file_blob_name


async def find_live(file_url: str, now: datetime) -> FileRecord:
    """The record if it may be served now, with ended leases given back (FileRecord.reaped);
    missing, expired, used up, withdrawn and in a deleted group look the same."""
    if not ids.is_valid_file_url(file_url):
        raise FileNotFound()
    record = await table.get(file_url)
    if record is None or not await is_servable(record, now):
        raise FileNotFound()
    return record.reaped(now)


async def is_servable(record: FileRecord, now: datetime) -> bool:
    """Live, not in a group whose deletion began, and, for a share's file, in a live share (a
    point read more for group and share files only)."""
    if not record.is_live(now):
        return False
    if record.group_id and await groups.is_gone(record.group_id):
        return False
    if record.share_id:
        share = await shares_table.get(record.share_id)
        return share is not None and share.is_live(now)
    return True


async def remove(record: FileRecord, *, withdraw: bool = True) -> bool:
    """Delete a file in steps that a retried delete or the cleanup timer can finish:
    1. a `file` index entry due at once: the timer's handle on an unfinished removal;
    2. the record withdrawn, a tombstone: unreachable from here on, yet a retry still finds it;
    3. the listing row (of the owner the tombstone names) or the share's member row; 4. the bytes;
    5. the record;
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
    if record.share_id:
        await shares_table.remove_member(record.share_id, record.file_url, record.created_at)
    await blobs.discard(file_blob_name(record.file_url))
    crash_point("delete.blob_deleted")
    removed = await table.delete(record.file_url)
    for earlier in (record, withdrawn):
        if earlier is not None and earlier.original_expiry is not None:
            filed.add(earlier.original_expiry)
    await asyncio.gather(
        *(
            expiry_index.remove(expiry_index.entry_for(expiry_index.FILE, record.file_url, due))
            for due in filed
        )
    )
    return removed


async def _withdraw(record: FileRecord) -> FileRecord | None:
    """The record withdrawn, as it stands now (a transfer may have named an owner meanwhile);
    None once it is gone."""
    async for _ in retry.Attempts(what="withdrawing a file"):
        if record.expires_at == table.WITHDRAWN:
            return record
        if record.etag and await table.withdraw(record):  # no ETag: written, never read back
            return record
        fresh = await table.get(record.file_url)
        if fresh is None:
            return None
        record = fresh
    raise RuntimeError("withdrawing a file lost every race")


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
    record = await find_owned(file_url, key)
    if await remove(record):
        await notify.file_deleted(record)


def file_link(base_url: str, file_url: str) -> str:
    return f"{base_url}/file/{file_url}"
