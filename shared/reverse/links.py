"""Upload links (reverse shares) in the `reverseshares` table, and their counters.

Key scheme, two rows per link in one table:
- PartitionKey = link id, RowKey = "link": the link itself (owner, group, limits, password hash,
  counters). An upload reads it with one point read and reserves on it.
- PartitionKey = "u:<owner's user key>", RowKey = link id: the owner's pointer, so the owner's
  links are one partition query (their counters are then point reads of the first rows).
The first row is written last and deleted first: a link is usable exactly while it exists.

`files_used`/`bytes_used` count what was received plus what uploads in flight reserved. A
reservation is one ETag-conditional update of the link row that re-checks the limits on the row
as read (shared/reverse/limits.py), so however many uploads race, the counters never pass the
limits: a loser re-reads and decides again.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from shared.errors import StorageUnavailable, UploadLinkNotFound
from shared.reverse import limits
from shared.storage import entities, keys
from shared.storage.names import REVERSE_SHARES_TABLE

_ROW = "link"
# Conditional updates lost in a row before giving up (each loss means another upload progressed).
_ATTEMPTS = 64


@dataclass(frozen=True)
class ReverseShare:
    link_id: str
    owner: str
    group_id: str | None
    created_at: datetime
    expires_at: datetime
    max_files: int
    max_bytes: int
    file_ttl_seconds: int
    password_hash: str | None = None
    files_used: int = 0
    bytes_used: int = 0
    etag: str = ""

    def is_live(self, now: datetime) -> bool:
        return self.expires_at > now

    @property
    def files_left(self) -> int:
        return max(0, self.max_files - self.files_used)

    @property
    def bytes_left(self) -> int:
        return max(0, self.max_bytes - self.bytes_used)


def _to_entity(link: ReverseShare) -> dict[str, Any]:
    return {
        "PartitionKey": link.link_id,
        "RowKey": _ROW,
        "owner": link.owner,
        "group_id": link.group_id,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "max_files": link.max_files,
        "max_bytes": EntityProperty(link.max_bytes, EdmType.INT64),
        "file_ttl_seconds": link.file_ttl_seconds,
        "password_hash": link.password_hash,
        **_counters(link),
    }


def _counters(link: ReverseShare) -> dict[str, Any]:
    return {
        "files_used": link.files_used,
        "bytes_used": EntityProperty(link.bytes_used, EdmType.INT64),
    }


def _from_entity(row: dict[str, Any]) -> ReverseShare:
    return ReverseShare(
        link_id=row["PartitionKey"],
        owner=row["owner"],
        group_id=row.get("group_id"),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        max_files=int(row["max_files"]),
        max_bytes=int(row["max_bytes"]),
        file_ttl_seconds=int(row["file_ttl_seconds"]),
        password_hash=row.get("password_hash"),
        files_used=int(row.get("files_used", 0)),
        bytes_used=int(row.get("bytes_used", 0)),
        etag=row["etag"],
    )


async def insert(link: ReverseShare) -> None:
    """The owner's pointer, then the link: usable only once it is listed."""
    await entities.upsert(
        REVERSE_SHARES_TABLE,
        {
            "PartitionKey": keys.account_partition(link.owner),
            "RowKey": link.link_id,
            "created_at": link.created_at,
        },
    )
    if not await entities.insert(REVERSE_SHARES_TABLE, _to_entity(link)):
        raise RuntimeError("link id collision")  # 96 random bits: never


async def get(link_id: str) -> ReverseShare | None:
    row = await entities.get(REVERSE_SHARES_TABLE, link_id, _ROW)
    return None if row is None else _from_entity(row)


async def pointers_of(owner: str) -> list[tuple[str, datetime]]:
    """The owner's links as (id, created_at), oldest first; expired or revoked links whose
    pointer a crash left behind included."""
    rows = await entities.partition(REVERSE_SHARES_TABLE, keys.account_partition(owner))
    return sorted(((row["RowKey"], row["created_at"]) for row in rows), key=lambda p: p[1])


async def delete(link_id: str, owner_key: str) -> bool:
    """The link (uploads stop at once), then the owner's pointer; False if the link was gone."""
    deleted = await entities.delete(REVERSE_SHARES_TABLE, link_id, _ROW)
    await entities.delete(REVERSE_SHARES_TABLE, keys.account_partition_of_key(owner_key), link_id)
    return deleted


async def reserve(link_id: str, *, files: int, size: int, now: datetime) -> ReverseShare:
    """Count `files` and `size` bytes against the link, or raise why not (limits.refusal).

    The link as reserved on is returned; 404 if it is gone or expired.
    """
    for _ in range(_ATTEMPTS):
        link = await get(link_id)
        if link is None or not link.is_live(now):
            raise UploadLinkNotFound()
        verdict = limits.admit(limits.Usage.of(link), files=files, size=size)
        if verdict is not limits.Verdict.ADMITTED:
            raise limits.refusal(verdict)
        taken = replace(link, files_used=link.files_used + files, bytes_used=link.bytes_used + size)
        if (etag := await _write_counters(taken)) is not None:
            return replace(taken, etag=etag)
        await _back_off()
    raise StorageUnavailable()


async def release(link_id: str, *, files: int, size: int) -> None:
    """Give back a reservation whose upload failed; nothing if the link is gone."""
    for _ in range(_ATTEMPTS):
        link = await get(link_id)
        if link is None:
            return
        freed = replace(
            link,
            files_used=max(0, link.files_used - files),
            bytes_used=max(0, link.bytes_used - size),
        )
        if await _write_counters(freed) is not None:
            return
        await _back_off()
    raise StorageUnavailable()


async def _write_counters(link: ReverseShare) -> str | None:
    entity = {"PartitionKey": link.link_id, "RowKey": _ROW, **_counters(link)}
    return await entities.update(REVERSE_SHARES_TABLE, entity, etag=link.etag)


async def _back_off() -> None:
    """A short random pause, so racing uploads do not collide again in lockstep."""
    await asyncio.sleep(random.uniform(0, 0.02))  # noqa: S311 - jitter, not a secret
