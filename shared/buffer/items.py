"""Buffer items in the `buffer` table, and the ids that name them.

Key scheme in the `buffer` table: PartitionKey = "u:<user key>" (shared/storage/keys.py), RowKey =
the item id: 13 hex digits of (10**15 - creation time in ms) then 16 random hex digits. A partition
query therefore returns an account's items newest first: the newest live one is the buffer, the
others its history, trimmed to BUFFER_HISTORY on every write, so a partition holds a handful of
rows. Ids are unique across accounts, so an item's bytes live at blob "b/<item id>"
(shared/storage/names.py). Its `buffer` expiry entry is named "<item id>:<user key>", which is
enough to find both the row and the blob when the entry is due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from shared import ids
from shared.storage import entities
from shared.storage.keys import account_partition, account_partition_of_key, user_key
from shared.storage.names import BUFFER_TABLE

_ITEM_ID = re.compile(r"^[0-9a-f]{29}$")


@dataclass(frozen=True)
class BufferItem:
    item_id: str
    data_type: str
    name: str | None
    content_type: str
    size: int
    created_at: datetime
    expires_at: datetime
    blob_etag: str

    def is_live(self, now: datetime) -> bool:
        return self.expires_at > now


def new_item_id(now: datetime) -> str:
    return ids.newest_first(now)


def is_item_id(text: str) -> bool:
    return bool(_ITEM_ID.match(text))


def entry_id(item_id: str, username: str) -> str:
    """The item's id in the expiry index."""
    return f"{item_id}:{user_key(username)}"


async def insert(username: str, found: BufferItem) -> bool:
    """Create the item's row; False if the id is taken."""
    return await entities.insert(BUFFER_TABLE, _to_entity(username, found))


async def newest(username: str, *, limit: int | None = None) -> list[BufferItem]:
    """The account's items, newest first, expired ones included."""
    rows = await entities.partition(BUFFER_TABLE, account_partition(username), limit=limit)
    return [_from_entity(row) for row in rows]


async def get(username: str, item_id: str) -> BufferItem | None:
    row = await entities.get(BUFFER_TABLE, account_partition(username), item_id)
    return None if row is None else _from_entity(row)


async def delete(username: str, item_id: str) -> bool:
    """Delete the row; True if this call deleted it (of concurrent deletes, one does)."""
    return await entities.delete(BUFFER_TABLE, account_partition(username), item_id)


async def delete_by_entry(entry: str) -> tuple[str, bool]:
    """Delete the row an expiry entry id names: its item id, and whether this call deleted it."""
    item_id, _, key = entry.partition(":")
    if not is_item_id(item_id):
        return item_id, False
    return item_id, await entities.delete(BUFFER_TABLE, account_partition_of_key(key), item_id)


def _to_entity(username: str, found: BufferItem) -> dict[str, Any]:
    return {
        "PartitionKey": account_partition(username),
        "RowKey": found.item_id,
        "data_type": found.data_type,
        "name": found.name,
        "content_type": found.content_type,
        "size": EntityProperty(found.size, EdmType.INT64),
        "created_at": found.created_at,
        "expires_at": found.expires_at,
        "blob_etag": found.blob_etag,
    }


def _from_entity(row: dict[str, Any]) -> BufferItem:
    return BufferItem(
        item_id=row["RowKey"],
        data_type=row["data_type"],
        name=row.get("name"),
        content_type=row["content_type"],
        size=int(row["size"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        blob_etag=row["blob_etag"],
    )
