"""Shares in the `shares` table.

Key scheme: PartitionKey = share_id; RowKey = "share" for the share itself and
"m:<13 digits of creation ms>:<file_url>" for each member, so the share and its files, in the order
they were added, are one partition query, and a member's row key follows from its file record
(file_url, created_at) alone. Counting and withdrawing are conditional on the share row's ETag.
The members' bytes and records are ordinary files (`files` table, `f/<file_url>` blobs) that name
their share.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from shared.files.records import NO_LEASE, FileRecord
from shared.files.table import WITHDRAWN
from shared.shares.records import Member, ShareRecord
from shared.storage import entities
from shared.storage.names import SHARES_TABLE

_ROW = "share"
_MEMBER = "m:"


def member_row_key(file_url: str, created_at: datetime) -> str:
    millis = int(created_at.astimezone(UTC).timestamp() * 1000)
    return f"{_MEMBER}{millis:013d}:{file_url}"


def _share_entity(share: ShareRecord) -> dict[str, Any]:
    return {
        "PartitionKey": share.share_id,
        "RowKey": _ROW,
        "key": share.key,
        "title": share.title,
        "created_at": share.created_at,
        "expires_at": share.expires_at,
        "max_downloads": share.max_downloads,
        "download_count": share.download_count,
        "owner": share.owner,
        "group_id": share.group_id,
        "password_hash": share.password_hash,
        "leased": share.leased,
        "lease_until": share.lease_until,
    }


def _share(row: dict[str, Any]) -> ShareRecord:
    return ShareRecord(
        share_id=row["PartitionKey"],
        key=row["key"],
        title=row.get("title"),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        max_downloads=row.get("max_downloads"),
        download_count=int(row.get("download_count", 0)),
        owner=row.get("owner"),
        group_id=row.get("group_id"),
        password_hash=row.get("password_hash"),
        etag=row["etag"],
        leased=int(row.get("leased", 0)),
        lease_until=row.get("lease_until", NO_LEASE),
        original_expiry=row.get("original_expiry"),
    )


def _member(row: dict[str, Any]) -> Member:
    return Member(
        file_url=row["file_url"],
        user_filename=row["user_filename"],
        size=int(row["size"]),
        content_type=row["content_type"],
        crc32=int(row["crc32"]),
        created_at=row["created_at"],
        blob_etag=row["blob_etag"],
    )


async def insert(share: ShareRecord) -> bool:
    return await entities.insert(SHARES_TABLE, _share_entity(share))


async def get(share_id: str) -> ShareRecord | None:
    row = await entities.get(SHARES_TABLE, share_id, _ROW)
    return None if row is None else _share(row)


async def contents(share_id: str) -> tuple[ShareRecord | None, list[Member]]:
    """The share and its members, oldest first: one partition query."""
    rows = await entities.partition(SHARES_TABLE, share_id)
    share = next((_share(row) for row in rows if row["RowKey"] == _ROW), None)
    return share, [_member(row) for row in rows if row["RowKey"].startswith(_MEMBER)]


async def add_member(record: FileRecord) -> None:
    """The member's row: from here on the file is in the share's listing and its ZIP."""
    if record.share_id is None or record.crc32 is None:
        raise ValueError("a share member needs its share and CRC-32")
    await entities.upsert(
        SHARES_TABLE,
        {
            "PartitionKey": record.share_id,
            "RowKey": member_row_key(record.file_url, record.created_at),
            "file_url": record.file_url,
            "user_filename": record.user_filename,
            "size": EntityProperty(record.size, EdmType.INT64),
            "content_type": record.content_type,
            "crc32": EntityProperty(record.crc32, EdmType.INT64),
            "created_at": record.created_at,
            "blob_etag": record.blob_etag,
        },
    )


async def remove_member(share_id: str, file_url: str, created_at: datetime) -> None:
    await entities.delete(SHARES_TABLE, share_id, member_row_key(file_url, created_at))


async def delete(share_id: str) -> bool:
    return await entities.delete(SHARES_TABLE, share_id, _ROW)


async def withdraw(share: ShareRecord) -> bool:
    """The tombstone: expired since WITHDRAWN, unless the row changed meanwhile."""
    entity = {
        "PartitionKey": share.share_id,
        "RowKey": _ROW,
        "expires_at": WITHDRAWN,
        "original_expiry": share.expires_at,
    }
    return await entities.update(SHARES_TABLE, entity, etag=share.etag) is not None


async def write_counts(share: ShareRecord) -> ShareRecord | None:
    """Store the count and leases if the row is unchanged since `share.etag`; None if not."""
    entity = {
        "PartitionKey": share.share_id,
        "RowKey": _ROW,
        "download_count": share.download_count,
        "leased": share.leased,
        "lease_until": share.lease_until,
    }
    etag = await entities.update(SHARES_TABLE, entity, etag=share.etag)
    return None if etag is None else replace(share, etag=etag)
