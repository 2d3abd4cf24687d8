"""MAX_FILES_PER_USER: an account keeps at most that many live private files; the oldest go.

Counting never reads the account's files: each account upload adds one to a per-account upper
bound (shared/files/file_counts.py: one point read and one conditional write). While the bound
is within the limit nothing else happens. Above it, the account's listing partition
(shared/accounts/listing.py, newest first) is read once: the oldest live files beyond the limit are
deleted like any other file (catalog.remove: listing row, record, blob, index entry), and the true
count is written back conditional on the ETag read before the listing, so an upload that counted
itself meanwhile makes the check start over instead of being forgotten. Of concurrent evictions of
one file exactly one claims it (a conditional update) and reports it. An account's first counted
upload (the count is UNKNOWN) reads the listing once to learn the true count, limit or not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.accounts import listing
from shared.files import catalog, file_counts, table
from shared.files.records import FileRecord
from shared.storage import keys, retry

_ATTEMPTS = 10


async def count_upload(record: FileRecord, *, limit: int, now: datetime) -> tuple[FileRecord, ...]:
    """Count a new private file of an account; over a limit (> 0), evict the oldest. The evicted."""
    if not record.owner or record.group_id:
        return ()
    count = await file_counts.add_one(record.owner)
    if count >= file_counts.UNKNOWN or (limit > 0 and count > limit):
        return await _reconcile(record.owner, limit=limit, now=now)
    return ()


async def _reconcile(username: str, *, limit: int, now: datetime) -> tuple[FileRecord, ...]:
    """Keep the newest `limit` live files (all when limit is 0) and store their number.

    Every concurrent check keeps the newest files of the same, newest-first listing, so they
    agree: none evicts a file another keeps, and the newest `limit` always remain.
    """
    evicted: list[FileRecord] = []
    partition = keys.account_partition(username)
    # Running out of attempts is logged; the next upload checks again.
    async for _ in retry.Attempts(_ATTEMPTS, what=f"reconciling the file count of {username!r}"):
        counted = await file_counts.read(username)
        entries = await listing.files_in(partition, now)
        victims = entries[limit:] if limit > 0 else []
        for entry in reversed(victims):  # oldest first, should this be interrupted
            record = await _evict_one(partition, entry, username, now)
            if record is not None:
                evicted.append(record)
        if await file_counts.write(username, len(entries) - len(victims), expected=counted):
            break
    return tuple(evicted)


async def _evict_one(
    partition: str, entry: dict[str, Any], username: str, now: datetime
) -> FileRecord | None:
    record = await table.get(entry["file_url"])
    if record is None:
        # A listing row that outlived its file (a crash mid-removal): finish the removal.
        await listing.drop(partition, entry["RowKey"])
        return None
    owner = keys.user_key(record.owner or "")
    if owner != keys.user_key(username) or record.group_id or not record.is_live(now):
        return None  # not this account's, or expired, or another check is evicting it
    # Claim it first, so of concurrent checks exactly one evicts (and reports) each file; the
    # removal then uses the record as it was, whose expiry entry it also removes.
    if not await table.withdraw(record):
        return None
    await catalog.remove(record)
    return record
