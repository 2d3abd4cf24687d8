"""POST /api/transfer: bind anonymous uploads to an account by file_url + key.

A file is bound only if it is live, has no owner or group yet, and the key matches; the binding
is a conditional update of the file's record, so of two accounts claiming one file exactly one
wins. Transferred files count against MAX_FILES_PER_USER like uploads (shared/files/limit.py). A
transfer never deletes anything to make room: it binds only as many files as the account has
room for, and the rest come back in `unsuccess`, still anonymous and still deletable with their
keys. Counting each bound file like an upload keeps the limit even when an upload of the same
account races the transfer (the upload then evicts the oldest, as uploads do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from shared import ids
from shared.accounts import listing
from shared.errors import FileNotFound
from shared.files import catalog, limit, table
from shared.files.records import FileRecord
from shared.ops.crashpoints import crash_point
from shared.storage import keys


async def bind_anonymous(
    items: Sequence[tuple[str, str] | None], username: str, *, max_files: int, now: datetime
) -> list[bool]:
    """Bind what fits (all of it when `max_files` is 0); whether each item was bound.

    None stands for an item of another shape: it is never bound.
    """
    room = await _room(username, max_files, now)
    bound: list[bool] = []
    for item in items:
        record = None if item is None else await _claimable(*item, username, now)
        if record is None or room == 0:
            bound.append(False)
            continue
        owned = await _bind(record, username, now)
        if owned is None:
            bound.append(False)
            continue
        await limit.count_upload(owned, limit=max_files, now=now)
        if room is not None:
            room -= 1
        bound.append(True)
    return bound


async def _bind(record: FileRecord, username: str, now: datetime) -> FileRecord | None:
    """Name the owner, then list the file: steps a retried transfer finishes after a crash."""
    if record.owner is None:
        if not await table.assign_owner(record, username):
            return None
        crash_point("transfer.owner_assigned")
        record = replace(record, owner=username)
    await listing.add(record)
    # A delete that withdrew the record after the owner was named removed the listing row before
    # this wrote it: whoever looks last takes it back.
    latest = await table.get(record.file_url)
    if latest is None or not latest.is_live(now):
        await listing.remove(record)
        return None
    return record


async def _room(username: str, max_files: int, now: datetime) -> int | None:
    """How many more private files the account may hold; None without a limit."""
    if max_files <= 0:
        return None
    live = await listing.files_in(keys.account_partition(username), now)
    return max(0, max_files - len(live))


async def _claimable(file_url: str, key: str, username: str, now: datetime) -> FileRecord | None:
    """The live file `file_url` names, if `key` is its key and it is anonymous (or already this
    account's: a retry after a crash finishes the job); else None."""
    try:
        record = await catalog.find_live(file_url, now)
    except FileNotFound:
        return None
    if record.group_id or not ids.secrets_match(key, record.key):
        return None
    if record.owner is not None and keys.user_key(record.owner) != keys.user_key(username):
        return None
    return record
