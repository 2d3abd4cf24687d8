"""Which files belong to an account or a group, newest first, without touching other files.

Key scheme in the `ownerfiles` table: PartitionKey = "u:<username folded>" for an account's
private files or "g:<group_id>" for a group's, RowKey = "<inverted creation time>:<file_url>" so a
partition query returns newest first. The row repeats what a listing shows, so listing is one
partition query. It is written after the file's record and removed before it, so a listing never
shows a file that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.files.records import FileRecord
from shared.storage import entities, keys
from shared.storage.names import OWNER_FILES_TABLE

_LATEST_MS = 10**15  # beyond year 33000


def group_partition(group_id: str) -> str:
    return f"g:{group_id}"


def partition_of(record: FileRecord) -> str | None:
    if record.group_id:
        return group_partition(record.group_id)
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
