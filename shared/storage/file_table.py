"""File records in the `files` table.

Key scheme: PartitionKey = file_url, RowKey = "file". Every lookup is by file_url, so each is a
point read, and records spread over as many partitions as there are files. Download counting is
a conditional update on the row's ETag, so concurrent claims on any number of instances serialise.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import EdmType, EntityProperty, UpdateMode

from shared.errors import FileNotFound
from shared.models import FileRecord
from shared.storage.clients import table
from shared.storage.errors import translate_storage_errors
from shared.storage.names import FILES_TABLE

logger = logging.getLogger(__name__)

_ROW = "file"
_MAX_ATTEMPTS = 50


def _int(value: Any) -> int:
    return int(value.value if isinstance(value, EntityProperty) else value)


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
        "owner": record.owner,
        "group_id": record.group_id,
    }


def _from_entity(entity: Any) -> FileRecord:
    max_downloads = entity.get("max_downloads")
    return FileRecord(
        file_url=entity["PartitionKey"],
        key=entity["key"],
        user_filename=entity["user_filename"],
        ext=entity.get("ext", ""),
        content_type=entity["content_type"],
        size=_int(entity["size"]),
        created_at=entity["created_at"],
        expires_at=entity["expires_at"],
        max_downloads=None if max_downloads is None else _int(max_downloads),
        download_count=_int(entity.get("download_count", 0)),
        blob_etag=entity["blob_etag"],
        owner=entity.get("owner"),
        group_id=entity.get("group_id"),
        etag=entity.metadata["etag"],
    )


async def insert(record: FileRecord) -> None:
    client = await table(FILES_TABLE)
    with translate_storage_errors():
        await client.create_entity({k: v for k, v in _to_entity(record).items() if v is not None})


async def get(file_url: str) -> FileRecord | None:
    client = await table(FILES_TABLE)
    with translate_storage_errors():
        try:
            return _from_entity(await client.get_entity(file_url, _ROW))
        except ResourceNotFoundError:
            return None


async def delete(file_url: str) -> bool:
    """Remove the record; False if it was already gone."""
    client = await table(FILES_TABLE)
    with translate_storage_errors():
        try:
            await client.delete_entity(file_url, _ROW)
        except ResourceNotFoundError:
            return False
    return True


async def _set_count(record: FileRecord, count: int) -> FileRecord:
    """Write a new download count if the row is unchanged; raises ResourceModifiedError if not."""
    client = await table(FILES_TABLE)
    entity = {"PartitionKey": record.file_url, "RowKey": _ROW, "download_count": count}
    with translate_storage_errors():
        result = await client.update_entity(
            entity,
            mode=UpdateMode.MERGE,
            etag=record.etag,
            match_condition=MatchConditions.IfNotModified,
        )
    return record.with_count(count, result["etag"])


async def claim_download(record: FileRecord, now: datetime) -> FileRecord:
    """Take one download; of concurrent claims on the last one, exactly one succeeds."""
    for _ in range(_MAX_ATTEMPTS):
        if not record.is_live(now):
            raise FileNotFound()
        try:
            return await _set_count(record, record.download_count + 1)
        except (ResourceModifiedError, ResourceNotFoundError):
            fresh = await get(record.file_url)
            if fresh is None:
                raise FileNotFound() from None
            record = fresh
    logger.warning("download claim on %s lost %d races", record.file_url, _MAX_ATTEMPTS)
    raise FileNotFound()


async def release_download(file_url: str) -> None:
    """Give back a claimed download whose transfer did not complete."""
    for _ in range(_MAX_ATTEMPTS):
        record = await get(file_url)
        if record is None or record.download_count == 0:
            return
        try:
            await _set_count(record, record.download_count - 1)
            return
        except (ResourceModifiedError, ResourceNotFoundError):
            continue
