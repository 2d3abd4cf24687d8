"""Which files belong to an account or a group, newest first, without touching other files.

Key scheme in the `ownerfiles` table: PartitionKey = "u:<user key>" for an account's private
files or "g:<group_id>" for a group's (shared/storage/keys.py), RowKey = "<15 digits of 10**15 -
creation time in ms>:<file_url>" so a partition query returns newest first. The row repeats what
a listing shows, so listing is one partition query. It is written after the file's record and
removed before it, so a listing never shows a file that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# groups imports this module too; each uses the other only inside functions, so the cycle is safe.
from shared.accounts import file_rights, groups
from shared.files.records import FileRecord
from shared.storage import entities, keys
from shared.storage.names import OWNER_FILES_TABLE

_LATEST_MS = 10**15  # beyond year 33000


def partition_of(record: FileRecord) -> str | None:
    if record.group_id:
        return keys.group_partition(record.group_id)
    if record.owner:
        return keys.account_partition(record.owner)
    return None


def _row_key(record: FileRecord) -> str:
    inverted = _LATEST_MS - int(record.created_at.timestamp() * 1000)
    return f"{inverted:015d}:{record.file_url}"


async def add(record: FileRecord) -> None:
    partition = partition_of(record)
    if partition is None:
        return
    await entities.upsert(
        OWNER_FILES_TABLE,
        {
            "PartitionKey": partition,
            "RowKey": _row_key(record),
            "file_url": record.file_url,
            "owner": record.owner,  # the uploader: only they see the key in a group's listing
            "key": record.key,
            "ext": record.ext,
            "user_filename": record.user_filename,
            "size": record.size,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
            "received_via": record.received_via,
        },
    )


async def remove(record: FileRecord) -> None:
    partition = partition_of(record)
    if partition is not None:
        await entities.delete(OWNER_FILES_TABLE, partition, _row_key(record))


async def entries(partition: str) -> list[dict[str, Any]]:
    """Every entry of one account or group, newest first, expired ones included."""
    return await entities.partition(OWNER_FILES_TABLE, partition)


async def drop(partition: str, row_key: str) -> None:
    await entities.delete(OWNER_FILES_TABLE, partition, row_key)


async def files_in(partition: str, now: datetime) -> list[dict[str, Any]]:
    """Live entries of one account or group, newest first."""
    return [row for row in await entries(partition) if row["expires_at"] > now]


@dataclass(frozen=True)
class Listing:
    """What GET /api/get_files shows: live entries, and whether the caller owns the group."""

    entries: list[dict[str, Any]]
    is_owner: bool


async def visible_to(username: str, group_id: str, now: datetime) -> Listing:
    """The caller's own files (`private`), or a group's if the caller belongs to it.

    For a group: 400 bad id, 404 no such group, 403 not a member (groups.require_member).
    """
    if group_id == "private":
        return Listing(await files_in(keys.account_partition(username), now), is_owner=False)
    group = await groups.require_member(group_id, username)
    entries = await files_in(keys.group_partition(group.group_id), now)
    for entry in entries:  # each member sees only the keys of their own uploads
        entry["key"] = await file_rights.visible_key(entry, username)
    return Listing(entries, is_owner=group.is_owner(username))
