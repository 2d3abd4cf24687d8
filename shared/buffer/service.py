"""The cloud buffer: each account's latest text or file, with a short history, for any device.

Items, their ids and their table are in shared/buffer/items.py, the pure rules in rules.py; this
module performs the operations. Write order, as for files: the item's `buffer` expiry entry (due
when the item expires), then its blob, then its row (the moment it becomes visible). Removal goes
the other way. A crash at any point leaves at worst the entry, and the cleanup timer then deletes
whatever of the item exists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.buffer import items
from shared.buffer.items import BufferItem
from shared.buffer.rules import (
    FILE,
    NO_FILENAME,
    TEXT,
    TEXT_CONTENT_TYPE,
    Incoming,
    data_type,
    header_filename,
    live,
    response_headers,
)
from shared.config import Settings
from shared.errors import BadRequest, NotFound
from shared.files import content_policy
from shared.files.filenames import sanitize_filename
from shared.files.uploads import check_declared_length, stream_to_blob
from shared.http.multipart import MultipartReader, is_multipart
from shared.storage import blobs, expiry_index
from shared.storage.names import buffer_blob_name

# The buffer's face to the HTTP edge: its operations and the types they take and return.
__all__ = [
    "BufferEmpty",
    "BufferItem",
    "BufferItemNotFound",
    "Incoming",
    "Opened",
    "clear",
    "current",
    "delete_item",
    "expire",
    "history",
    "item",
    "open_item",
    "receive",
]

logger = logging.getLogger(__name__)

_MULTIPART_SLACK = 64 * 1024


class BufferEmpty(NotFound):
    message = "Buffer is empty"


class BufferItemNotFound(NotFound):
    message = "Buffer item not found"


@dataclass(frozen=True)
class Opened:
    headers: dict[str, str]
    body: AsyncIterator[bytes]


async def receive(
    username: str,
    incoming: Incoming,
    body: AsyncIterator[bytes],
    *,
    settings: Settings,
    now: datetime,
) -> BufferItem:
    """Store the body as the account's new buffer content, streamed within MAX_UPLOAD_BYTES."""
    declared = data_type(incoming)
    if declared == FILE and is_multipart(incoming.content_type):
        check_declared_length(incoming.content_length, settings, slack=_MULTIPART_SLACK)
        async for part in MultipartReader(incoming.content_type, body).parts():
            if part.name == "file" and part.filename is not None:
                return await _store(username, part.filename, part.chunks(), settings, now)
        raise BadRequest(NO_FILENAME)
    check_declared_length(incoming.content_length, settings, slack=0)
    name = header_filename(incoming) if declared == FILE else None
    return await _store(username, name, body, settings, now)


async def _store(
    username: str,
    raw_name: str | None,
    chunks: AsyncIterator[bytes],
    settings: Settings,
    now: datetime,
) -> BufferItem:
    name = None if raw_name is None else sanitize_filename(raw_name)
    content_type = TEXT_CONTENT_TYPE if name is None else content_policy.guess_content_type(name)
    item_id = items.new_item_id(now)
    expires = now + timedelta(seconds=settings.buffer_ttl_seconds)
    entry = await expiry_index.add(expiry_index.BUFFER, items.entry_id(item_id, username), expires)
    stored = await stream_to_blob(
        buffer_blob_name(item_id), chunks, guard=entry, content_type=content_type, settings=settings
    )
    new = BufferItem(
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
        if not await items.insert(username, new):
            raise RuntimeError("buffer item id collision")  # 64 random bits
    except BaseException:
        await blobs.gather_quietly(
            blobs.delete(buffer_blob_name(item_id)), expiry_index.remove(entry)
        )
        raise
    try:
        await _trim(username, settings.buffer_history)
    except Exception:
        logger.warning("trimming the buffer history failed; the next write trims it", exc_info=True)
    return new


async def _trim(username: str, keep: int) -> None:
    found = await items.newest(username)
    await asyncio.gather(*(_remove(username, old) for old in found[keep:]))


async def _remove(username: str, found: BufferItem) -> bool:
    """Row, bytes, index entry: never a visible item without its bytes. True if this removed it."""
    removed = await items.delete(username, found.item_id)
    await blobs.delete(buffer_blob_name(found.item_id))
    await expiry_index.remove(
        expiry_index.entry_for(
            expiry_index.BUFFER, items.entry_id(found.item_id, username), found.expires_at
        )
    )
    return removed


async def current(username: str, now: datetime) -> BufferItem:
    """The newest item; all items live equally long, so if it expired, every older one did."""
    newest = live(await items.newest(username, limit=1), now, limit=1)
    if not newest:
        raise BufferEmpty()
    return newest[0]


async def item(username: str, item_id: str, now: datetime) -> BufferItem:
    found = await items.get(username, item_id) if items.is_item_id(item_id) else None
    if found is None or not found.is_live(now):
        raise BufferItemNotFound()
    return found


async def history(username: str, now: datetime, *, limit: int) -> list[BufferItem]:
    """Live items, newest first (the first is the buffer's content)."""
    return live(await items.newest(username), now, limit=limit)


async def clear(username: str) -> int:
    """Empty the buffer and its history; how many items this removed."""
    found = await items.newest(username)
    removed = await asyncio.gather(*(_remove(username, old) for old in found))
    return sum(removed)


async def delete_item(username: str, item_id: str, now: datetime) -> None:
    await _remove(username, await item(username, item_id, now))


async def expire(entry_id: str) -> bool:
    """Remove an item whose expiry entry is due (the cleanup timer); True if this removed it."""
    item_id, removed = await items.delete_by_entry(entry_id)
    await blobs.delete(buffer_blob_name(item_id))
    return removed


def open_item(found: BufferItem) -> Opened:
    """Headers and streamed bytes: text as UTF-8 text, a file as an attachment with its name."""
    return Opened(response_headers(found), _bytes(found))


async def _bytes(found: BufferItem) -> AsyncIterator[bytes]:
    if found.size:
        async for chunk in blobs.iter_range(
            buffer_blob_name(found.item_id), start=0, length=found.size, etag=found.blob_etag
        ):
            yield chunk
