"""File records in the `files` table.

Key scheme: PartitionKey = file_url, RowKey = "file". Every lookup is by file_url, so each is a
point read, and records spread over as many partitions as there are files. Writes that race
(counting, withdrawing, binding an owner) are conditional on the row's ETag; what they decide is
the caller's business (download counting: shared/files/counting.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from shared.files.records import NO_LEASE, FileRecord
from shared.storage import entities
from shared.storage.names import FILES_TABLE

_ROW = "file"
# Before any request's `now`, however early that request started.
WITHDRAWN = datetime(1970, 1, 1, tzinfo=UTC)


def _to_entity(record: FileRecord) -> dict[str, Any]:
    return {
        "PartitionKey": record.file_url,
        "RowKey": _ROW,
        "key": record.key,
        "user_filename": record.user_filename,
        "ext": record.ext,
        "content_type": record.content_type,
        "size": EntityProperty(record.size, EdmType.INT64),
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "max_downloads": record.max_downloads,
        "download_count": record.download_count,
        "blob_etag": record.blob_etag,
        "redirect_url": record.redirect_url,
        "owner": record.owner,
        "group_id": record.group_id,
        "leased": record.leased,
        "lease_until": record.lease_until,
        "snapshot": record.snapshot,
        "share_id": record.share_id,
        "crc32": None if record.crc32 is None else EntityProperty(record.crc32, EdmType.INT64),
        "received_via": record.received_via,
        "password_hash": record.password_hash,
        "encrypted": record.encrypted,
    }


def _from_entity(row: dict[str, Any]) -> FileRecord:
    return FileRecord(
        file_url=row["PartitionKey"],
        key=row["key"],
        user_filename=row["user_filename"],
        ext=row.get("ext", ""),
        content_type=row["content_type"],
        size=int(row["size"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        max_downloads=row.get("max_downloads"),
        download_count=int(row.get("download_count", 0)),
        blob_etag=row["blob_etag"],
        redirect_url=row.get("redirect_url"),
        owner=row.get("owner"),
        group_id=row.get("group_id"),
        snapshot=row.get("snapshot"),
        etag=row["etag"],
        leased=int(row.get("leased", 0)),
        lease_until=row.get("lease_until", NO_LEASE),
        original_expiry=row.get("original_expiry"),
        share_id=row.get("share_id"),
        crc32=None if row.get("crc32") is None else int(row["crc32"]),
        received_via=row.get("received_via"),
        password_hash=row.get("password_hash"),
        encrypted=bool(row.get("encrypted", False)),
    )


async def insert(record: FileRecord) -> bool:
    """Create the record; False if one with this file_url exists (a retried publication's own)."""
    return await entities.insert(FILES_TABLE, _to_entity(record))


async def get(file_url: str) -> FileRecord | None:
    row = await entities.get(FILES_TABLE, file_url, _ROW)
    return None if row is None else _from_entity(row)


async def delete(file_url: str) -> bool:
    """Remove the record; False if it was already gone."""
    return await entities.delete(FILES_TABLE, file_url, _ROW)


async def assign_owner(record: FileRecord, username: str) -> bool:
    """Bind an anonymous file to an account, unless the row changed meanwhile."""
    entity = {"PartitionKey": record.file_url, "RowKey": _ROW, "owner": username}
    return await entities.update(FILES_TABLE, entity, etag=record.etag) is not None


async def withdraw(record: FileRecord) -> bool:
    """Make a file unreachable at once (expired since WITHDRAWN) unless the row changed meanwhile:
    of concurrent callers exactly one wins, which a delete cannot tell (the SDK hides a 404)."""
    entity = {
        "PartitionKey": record.file_url,
        "RowKey": _ROW,
        "expires_at": WITHDRAWN,
        "original_expiry": record.expires_at,
    }
    return await entities.update(FILES_TABLE, entity, etag=record.etag) is not None


async def write_counts(record: FileRecord) -> FileRecord | None:
    """Store the record's download count and leases if its row is unchanged since `record.etag`
    was read: the record with the row's new ETag, or None if the race was lost."""
    entity = {
        "PartitionKey": record.file_url,
        "RowKey": _ROW,
        "download_count": record.download_count,
        "leased": record.leased,
        "lease_until": record.lease_until,
    }
    etag = await entities.update(FILES_TABLE, entity, etag=record.etag)
    return None if etag is None else replace(record, etag=etag)
