"""The cloud buffer: each account's latest text or file, with a short history, for any device.

Key scheme in the `buffer` table: PartitionKey = "u:<user key>" (shared/storage/keys.py), RowKey =
the item id: 13 hex digits of (10**15 - creation time in ms) then 16 random hex digits. A partition
query therefore returns an account's items newest first: the newest live one is the buffer, the
others its history, trimmed to BUFFER_HISTORY on every write, so a partition holds a handful of
rows. Ids are unique across accounts, so an item's bytes live at blob "b/<item id>".

Write order, as for files: the item's `buffer` expiry entry ("<item id>:<user key>", due when the
item expires), then its blob, then its row (the moment it becomes visible). Removal goes the other
way. A crash at any point leaves at worst the entry, and the cleanup timer then deletes whatever
of the item exists.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from typing import Any
from urllib.parse import unquote

from azure.data.tables import EdmType, EntityProperty

from shared.config import Settings
from shared.errors import BadRequest, NotFound
from shared.files import content_policy
from shared.files.filenames import content_disposition, sanitize_filename
from shared.files.uploads import check_declared_length, stream_to_blob
from shared.http.multipart import MultipartReader, is_multipart
from shared.storage import blobs, entities, expiry_index
from shared.storage.keys import account_partition, user_key
from shared.storage.names import BUFFER_TABLE, buffer_blob_name

logger = logging.getLogger(__name__)

TEXT = "text"
FILE = "file"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
NO_FILENAME = (
    "A file needs a filename: send it in X-Filename, as filename= in Content-Disposition, "
    "or as multipart/form-data with the file in field 'file'"
)
_LATEST_MS = 10**15
_ITEM_ID = re.compile(r"^[0-9a-f]{29}$")
_MULTIPART_SLACK = 64 * 1024


class BufferEmpty(NotFound):
    message = "Buffer is empty"


class BufferItemNotFound(NotFound):
    message = "Buffer item not found"


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


@dataclass(frozen=True)
class Incoming:
    """What a POST says about its body, from its headers."""

    data_type: str | None
    content_type: str
    content_length: str | None
    filename: str | None
    disposition: str | None


@dataclass(frozen=True)
class Opened:
    headers: dict[str, str]
    body: AsyncIterator[bytes]


def new_item_id(now: datetime) -> str:
    inverted = _LATEST_MS - int(now.timestamp() * 1000)
    return f"{inverted:013x}{secrets.token_hex(8)}"


async def receive(
    username: str,
    incoming: Incoming,
    body: AsyncIterator[bytes],
    *,
    settings: Settings,
    now: datetime,
) -> BufferItem:
    """Store the body as the account's new buffer content, streamed within MAX_UPLOAD_BYTES."""
    data_type = (incoming.data_type or "").strip().lower()
    if data_type not in (TEXT, FILE):
        raise BadRequest("X-Data-Type must be text or file")
    if data_type == FILE and is_multipart(incoming.content_type):
        check_declared_length(incoming.content_length, settings, slack=_MULTIPART_SLACK)
        async for part in MultipartReader(incoming.content_type, body).parts():
            if part.name == "file" and part.filename is not None:
                return await _store(username, part.filename, part.chunks(), settings, now)
        raise BadRequest(NO_FILENAME)
    check_declared_length(incoming.content_length, settings, slack=0)
    name = None
    if data_type == FILE:
        name = _header_filename(incoming.filename, incoming.disposition)
        if name is None:
            raise BadRequest(NO_FILENAME)
    return await _store(username, name, body, settings, now)


def _header_filename(x_filename: str | None, disposition: str | None) -> str | None:
    """X-Filename (percent-decoded, so any name fits in a header), else Content-Disposition's."""
    if x_filename and x_filename.strip():
        return unquote(x_filename.strip())
    if disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        name = message.get_filename()  # RFC 2231/5987 filename* included
        if name and name.strip():
            return name
    return None


async def _store(
    username: str,
    raw_name: str | None,
    chunks: AsyncIterator[bytes],
    settings: Settings,
    now: datetime,
) -> BufferItem:
    name = None if raw_name is None else sanitize_filename(raw_name)
    content_type = TEXT_CONTENT_TYPE if name is None else content_policy.guess_content_type(name)
    item_id = new_item_id(now)
    expires = now + timedelta(seconds=settings.buffer_ttl_seconds)
    entry = await expiry_index.add(expiry_index.BUFFER, _entry_id(item_id, username), expires)
    stored = await stream_to_blob(
        buffer_blob_name(item_id), chunks, guard=entry, content_type=content_type, settings=settings
    )
    item = BufferItem(
        item_id=item_id,
        data_type=TEXT if name is None else FILE,
        name=name,
        content_type=content_type,
        size=stored.size,
        created_at=now,
        expires_at=expires,
        blob_etag=stored.etag,
    )
    try:
        if not await entities.insert(BUFFER_TABLE, _to_entity(username, item)):
            raise RuntimeError(f"buffer item id collision on {item_id}")  # 64 random bits
    except BaseException:
        await blobs.gather_quietly(
            blobs.delete(buffer_blob_name(item_id)), expiry_index.remove(entry)
        )
        raise
    try:
        await _trim(username, settings.buffer_history)
    except Exception:
        logger.warning("trimming the buffer history failed; the next write trims it", exc_info=True)
    return item


async def _trim(username: str, keep: int) -> None:
    rows = await entities.partition(BUFFER_TABLE, account_partition(username))
    await asyncio.gather(*(_remove(username, _from_entity(row)) for row in rows[keep:]))


async def _remove(username: str, item: BufferItem) -> bool:
    """Row, bytes, index entry: never a visible item without its bytes. True if this removed it."""
    removed = await entities.delete(BUFFER_TABLE, account_partition(username), item.item_id)
    await blobs.delete(buffer_blob_name(item.item_id))
    await expiry_index.remove(
        expiry_index.entry_for(
            expiry_index.BUFFER, _entry_id(item.item_id, username), item.expires_at
        )
    )
    return removed


async def current(username: str, now: datetime) -> BufferItem:
    """The newest item; all items live equally long, so if it expired, every older one did."""
    rows = await entities.partition(BUFFER_TABLE, account_partition(username), limit=1)
    if not rows:
        raise BufferEmpty()
    item = _from_entity(rows[0])
    if item.expires_at <= now:
        raise BufferEmpty()
    return item


async def item(username: str, item_id: str, now: datetime) -> BufferItem:
    if not _ITEM_ID.match(item_id):
        raise BufferItemNotFound()
    row = await entities.get(BUFFER_TABLE, account_partition(username), item_id)
    if row is None:
        raise BufferItemNotFound()
    found = _from_entity(row)
    if found.expires_at <= now:
        raise BufferItemNotFound()
    return found


async def history(username: str, now: datetime, *, limit: int) -> list[BufferItem]:
    """Live items, newest first (the first is the buffer's content)."""
    rows = await entities.partition(BUFFER_TABLE, account_partition(username))
    items = [_from_entity(row) for row in rows]
    return [found for found in items if found.expires_at > now][:limit]


async def clear(username: str) -> int:
    """Empty the buffer and its history; how many items this removed."""
    rows = await entities.partition(BUFFER_TABLE, account_partition(username))
    removed = await asyncio.gather(*(_remove(username, _from_entity(row)) for row in rows))
    return sum(removed)


async def delete_item(username: str, item_id: str, now: datetime) -> None:
    await _remove(username, await item(username, item_id, now))


async def expire(entry_id: str) -> bool:
    """Remove an item whose expiry entry is due (the cleanup timer); True if this removed it."""
    item_id, _, key = entry_id.partition(":")
    partition = f"u:{key}"
    removed = bool(_ITEM_ID.match(item_id)) and await entities.delete(
        BUFFER_TABLE, partition, item_id
    )
    await blobs.delete(buffer_blob_name(item_id))
    return removed


def open_item(found: BufferItem) -> Opened:
    """Headers and streamed bytes: text as UTF-8 text, a file as an attachment with its name."""
    if found.name is None:
        headers = {"Content-Type": TEXT_CONTENT_TYPE, **content_policy.SECURITY_HEADERS}
    else:
        headers = {
            **content_policy.response_headers(found.content_type, found.name),
            "Content-Disposition": content_disposition("attachment", found.name),
        }
    headers.update(
        {
            "X-Data-Type": found.data_type,
            "X-Item-Id": found.item_id,
            "Content-Length": str(found.size),
            "Cache-Control": "no-store",
        }
    )
    return Opened(headers, _bytes(found))


async def _bytes(found: BufferItem) -> AsyncIterator[bytes]:
    if found.size:
        async for chunk in blobs.iter_range(
            buffer_blob_name(found.item_id), start=0, length=found.size, etag=found.blob_etag
        ):
            yield chunk


def _entry_id(item_id: str, username: str) -> str:
    return f"{item_id}:{user_key(username)}"


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
