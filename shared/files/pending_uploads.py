"""Direct uploads in progress, in the `uploads` table: authorised, not yet visible.

Key scheme: PartitionKey = file_url, RowKey = "upload"; every lookup is a point read. A row is
`pending` until a completion claims it (a conditional update to `publishing` on the row's ETag),
so of a completion and the cleanup sweep racing for the same upload exactly one proceeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from shared.storage import entities
from shared.storage.names import UPLOADS_TABLE

_ROW = "upload"
PENDING = "pending"
PUBLISHING = "publishing"


@dataclass(frozen=True)
class PendingUpload:
    file_url: str
    key: str
    user_filename: str
    content_type: str
    size: int
    block_size: int
    ttl_seconds: int
    max_downloads: int | None
    owner: str | None
    group_id: str | None
    # Why a token sent with the request was not accepted (anonymous uploads), for the response.
    auth_error: dict[str, Any]
    created_at: datetime
    sas_expires_at: datetime
    state: str = PENDING
    # The file's password hash, kept until the file is published with it.
    password_hash: str | None = None
    # The share the file joins when completed (shared/shares/), None for a file alone.
    share_id: str | None = None
    claimed_at: datetime | None = None
    etag: str = ""
    # The upload link it came through (shared/reverse/direct.py): `size` is reserved on it.
    received_via: str | None = None
    encrypted: bool = False  # ciphertext made by the client (docs/encryption.md)


def _to_entity(upload: PendingUpload) -> dict[str, Any]:
    return {
        "PartitionKey": upload.file_url,
        "RowKey": _ROW,
        "key": upload.key,
        "user_filename": upload.user_filename,
        "content_type": upload.content_type,
        "size": EntityProperty(upload.size, EdmType.INT64),
        "block_size": upload.block_size,
        "ttl_seconds": upload.ttl_seconds,
        "max_downloads": upload.max_downloads,
        "owner": upload.owner,
        "group_id": upload.group_id,
        "auth_error_id": upload.auth_error.get("errorId"),
        "auth_error_message": upload.auth_error.get("message"),
        "created_at": upload.created_at,
        "sas_expires_at": upload.sas_expires_at,
        "state": upload.state,
        "claimed_at": upload.claimed_at,
        "received_via": upload.received_via,
        "password_hash": upload.password_hash,
        "share_id": upload.share_id,
        "encrypted": upload.encrypted,
    }


def _from_entity(row: dict[str, Any]) -> PendingUpload:
    auth_error = (
        {"message": row["auth_error_message"], "errorId": int(row["auth_error_id"])}
        if row.get("auth_error_id") is not None
        else {}
    )
    return PendingUpload(
        file_url=row["PartitionKey"],
        key=row["key"],
        user_filename=row["user_filename"],
        content_type=row["content_type"],
        size=int(row["size"]),
        block_size=int(row["block_size"]),
        ttl_seconds=int(row["ttl_seconds"]),
        max_downloads=row.get("max_downloads"),
        owner=row.get("owner"),
        group_id=row.get("group_id"),
        auth_error=auth_error,
        created_at=row["created_at"],
        sas_expires_at=row["sas_expires_at"],
        state=row.get("state", PENDING),
        claimed_at=row.get("claimed_at"),
        password_hash=row.get("password_hash"),
        share_id=row.get("share_id"),
        etag=row["etag"],
        received_via=row.get("received_via"),
        encrypted=bool(row.get("encrypted", False)),
    )


async def insert(upload: PendingUpload) -> None:
    if not await entities.insert(UPLOADS_TABLE, _to_entity(upload)):
        raise RuntimeError("file_url collision")  # 96 random bits: never


async def get(file_url: str) -> PendingUpload | None:
    row = await entities.get(UPLOADS_TABLE, file_url, _ROW)
    return None if row is None else _from_entity(row)


async def _set_state(
    upload: PendingUpload, state: str, at: datetime | None
) -> PendingUpload | None:
    entity: dict[str, Any] = {"PartitionKey": upload.file_url, "RowKey": _ROW, "state": state}
    if at is not None:
        entity["claimed_at"] = at
    etag = await entities.update(UPLOADS_TABLE, entity, etag=upload.etag)
    return None if etag is None else replace(upload, state=state, claimed_at=at, etag=etag)


async def extend(upload: PendingUpload, sas_expires_at: datetime) -> PendingUpload | None:
    """Record a renewed SAS's expiry; None if the row changed meanwhile (say, a completion)."""
    entity = {"PartitionKey": upload.file_url, "RowKey": _ROW, "sas_expires_at": sas_expires_at}
    etag = await entities.update(UPLOADS_TABLE, entity, etag=upload.etag)
    return None if etag is None else replace(upload, sas_expires_at=sas_expires_at, etag=etag)


async def claim(upload: PendingUpload, now: datetime) -> PendingUpload | None:
    """Mark the upload as being published; None if the row changed or vanished meanwhile."""
    return await _set_state(upload, PUBLISHING, now)


async def release(upload: PendingUpload) -> None:
    """Give back a claim whose completion could not go on."""
    await _set_state(upload, PENDING, None)


async def delete(upload: PendingUpload, *, conditional: bool = True) -> bool:
    """Remove the row (by default only if unchanged since read); False if changed or gone."""
    return await entities.delete(
        UPLOADS_TABLE, upload.file_url, _ROW, etag=upload.etag if conditional else None
    )
