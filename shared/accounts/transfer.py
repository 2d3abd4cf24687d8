"""POST /api/transfer: bind anonymous uploads to an account by file_url + key.

Transferred files count against MAX_FILES_PER_USER like uploads (shared/files/limit.py). A
transfer never deletes anything to make room: it binds only as many files as the account has
room for, and the rest come back in `unsuccess`, still anonymous and still deletable with their
keys. Counting each bound file like an upload keeps the limit even when an upload of the same
account races the transfer (the upload then evicts the oldest, as uploads do).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from shared import ids
from shared.accounts import listing
from shared.errors import BadRequest, FileNotFound
from shared.files import catalog, limit, table
from shared.files.records import FileRecord
from shared.storage import keys


async def transfer(items: object, username: str, *, max_files: int, now: datetime) -> list[object]:
    """Bind what fits (all of it when `max_files` is 0); returns the items that failed."""
    if not isinstance(items, list):
        raise BadRequest("No data field in request body")
    room = await _room(username, max_files, now)
    failed: list[object] = []
    for item in items:
        record = await _claimable(item, now)
        if record is None or room == 0 or not await table.assign_owner(record, username):
            failed.append(item)
            continue
        owned = replace(record, owner=username)
        await listing.add(owned)
        await limit.count_upload(owned, limit=max_files, now=now)
        if room is not None:
            room -= 1
    return failed


async def _room(username: str, max_files: int, now: datetime) -> int | None:
    """How many more private files the account may hold; None without a limit."""
    if max_files <= 0:
        return None
    live = await listing.files_in(keys.account_partition(username), now)
    return max(0, max_files - len(live))


async def _claimable(item: object, now: datetime) -> FileRecord | None:
    """The live anonymous file `item` names with its right key, or None."""
    if not isinstance(item, dict):
        return None
    file_url, key = item.get("file_url"), item.get("key")
    if not isinstance(file_url, str) or not isinstance(key, str):
        return None
    try:
        record = await catalog.find_live(file_url, now)
    except FileNotFound:
        return None
    if record.owner or record.group_id or not ids.secrets_match(key, record.key):
        return None
    return record
