"""File records in the `files` table.

Key scheme: PartitionKey = file_url, RowKey = "file". Every lookup is by file_url, so each is a
point read, and records spread over as many partitions as there are files. Download counting is
a conditional update on the row's ETag, so concurrent claims on any number of instances serialise.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from shared.errors import FileNotFound
from shared.files.records import FileRecord
from shared.storage import entities, retry
from shared.storage.names import FILES_TABLE

logger = logging.getLogger(__name__)

_ROW = "file"
# Before any request's `now`, however early that request started.
WITHDRAWN = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_ATTEMPTS = 50


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
        etag=row["etag"],
        original_expiry=row.get("original_expiry"),
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


async def _set_count(record: FileRecord, count: int) -> FileRecord | None:
    """The record with a new download count, or None if the row changed meanwhile."""
    entity = {"PartitionKey": record.file_url, "RowKey": _ROW, "download_count": count}
    etag = await entities.update(FILES_TABLE, entity, etag=record.etag)
    return None if etag is None else record.with_count(count, etag)


async def claim_download(record: FileRecord, now: datetime) -> FileRecord:
    """Take one download of a limited file; of concurrent claims on the last, exactly one wins."""
    for attempt in range(_MAX_ATTEMPTS):
        await retry.pause(attempt)
        if not record.is_live(now):
            raise FileNotFound()
        claimed = await _set_count(record, record.download_count + 1)
        if claimed is not None:
            return claimed
        fresh = await get(record.file_url)
        if fresh is None:
            raise FileNotFound()
        record = fresh
    logger.warning("download claim on %s lost %d races", record.file_url, _MAX_ATTEMPTS)
    raise FileNotFound()


async def release_download(file_url: str) -> None:
    """Give back a claimed download whose transfer did not complete."""
    await _add_to_count(file_url, -1)


async def count_download(file_url: str) -> None:
    """Count a download of a file without a limit.

    Nothing is at stake but the figure, so a download is never refused for it: a row too
    contended to update is logged, not failed.
    """
    await _add_to_count(file_url, 1)


async def _add_to_count(file_url: str, delta: int) -> None:
    for attempt in range(_MAX_ATTEMPTS):
        await retry.pause(attempt)
        record = await get(file_url)
        if record is None or record.download_count + delta < 0:
            return
        if await _set_count(record, record.download_count + delta) is not None:
            return
    logger.warning("download count of %s lost %d races", file_url, _MAX_ATTEMPTS)
