"""File bytes in Blob Storage: streamed in blocks both ways, never whole in memory."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from azure.core import MatchConditions
from azure.core.exceptions import (
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobBlock, ContentSettings

from shared.errors import ContentChanged, FileNotFound
from shared.ops.crashpoints import crash_point
from shared.storage.clients import BLOCK_SIZE, storage
from shared.storage.names import SCAN_RESULT_TAG

# Blocks staged (or ranges fetched) at once: bounds memory to about this many blocks.
_IN_FLIGHT = 4


@dataclass(frozen=True)
class StoredBlob:
    size: int
    etag: str
    # The bytes themselves, for blobs no larger than the caller's `keep_up_to`.
    content: bytes | None = None


def _block_id(index: int) -> str:
    return base64.b64encode(f"{index:08d}".encode()).decode()


async def upload_stream(
    name: str,
    chunks: AsyncIterator[bytes],
    *,
    max_bytes: int,
    too_large: Callable[[], Exception],
    content_type: str,
    keep_up_to: int = 0,
) -> StoredBlob:
    """Write `chunks` to a new blob, raising `too_large()` once more than `max_bytes` arrive.

    Nothing becomes visible until the block list is committed. An oversized or interrupted
    upload leaves uncommitted blocks, which the caller frees with `discard` (Azure drops them only
    a week later, Azurite never); blocks in flight land (or fail) before this returns, so none is
    staged after that.
    """
    client = await storage().blob(name)
    settings = ContentSettings(content_type=content_type)
    # Blocks are built by appending, then frozen once for the SDK (which wants bytes).
    buffer = bytearray()
    size = 0
    block_ids: list[str] = []
    pending: set[asyncio.Task[None]] = set()

    async def stage(block_id: str, data: bytes) -> None:
        async with storage().call():
            await client.stage_block(block_id, data, length=len(data))
        crash_point("stream.block_staged")

    async def flush(data: bytes) -> None:
        while len(pending) >= _IN_FLIGHT:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            pending.difference_update(done)
            for task in done:
                task.result()
        block_id = _block_id(len(block_ids))
        block_ids.append(block_id)
        pending.add(asyncio.create_task(stage(block_id, data)))

    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise too_large()
            view = memoryview(chunk)
            while view:
                taken = min(len(view), BLOCK_SIZE - len(buffer))
                buffer += view[:taken]
                view = view[taken:]
                if len(buffer) == BLOCK_SIZE:
                    await flush(bytes(buffer))
                    buffer.clear()
        async with storage().call():
            if not block_ids:
                content = bytes(buffer)
                result = await client.upload_blob(
                    content,
                    length=len(content),
                    content_settings=settings,
                    match_condition=MatchConditions.IfMissing,
                )
                kept = content if size <= keep_up_to else None
                return StoredBlob(size=size, etag=str(result["etag"]), content=kept)
            if buffer:
                await flush(bytes(buffer))
            await asyncio.gather(*pending)
            pending.clear()
            result = await client.commit_block_list(
                [BlobBlock(block_id) for block_id in block_ids],
                content_settings=settings,
                match_condition=MatchConditions.IfMissing,
            )
            return StoredBlob(size=size, etag=str(result["etag"]))
    finally:
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


async def iter_range(
    name: str, *, start: int, length: int, etag: str
) -> AsyncGenerator[bytes, None]:
    """Yield `length` bytes from `start`, fetching the next blocks while one is being sent.

    Every block is read If-Match `etag`: bytes other than those published raise ContentChanged.
    """
    client = await storage().blob(name)

    async def fetch(offset: int, count: int) -> bytes:
        async with storage().call():
            try:
                downloader = await client.download_blob(
                    offset=offset,
                    length=count,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                )
                return await downloader.readall()
            except ResourceNotFoundError:
                raise FileNotFound() from None
            except ResourceModifiedError:
                raise ContentChanged() from None

    ahead: deque[asyncio.Task[bytes]] = deque()
    offsets = iter(range(start, start + length, BLOCK_SIZE))
    end = start + length

    def schedule() -> None:
        offset = next(offsets, None)
        if offset is not None:
            ahead.append(asyncio.create_task(fetch(offset, min(BLOCK_SIZE, end - offset))))

    try:
        for _ in range(_IN_FLIGHT):
            schedule()
        while ahead:
            data = await ahead.popleft()
            schedule()
            yield data
    finally:
        for task in ahead:
            task.cancel()


async def read_head(name: str, limit: int) -> bytes:
    """The first `limit` bytes (or fewer), for small content checks."""
    client = await storage().blob(name)
    async with storage().call():
        try:
            downloader = await client.download_blob(offset=0, length=limit)
            return await downloader.readall()
        except ResourceNotFoundError:
            raise FileNotFound() from None


async def delete(name: str) -> bool:
    """Delete a blob; False if it was already gone (deletes are idempotent)."""
    client = await storage().blob(name)
    async with storage().call():
        try:
            await client.delete_blob(delete_snapshots="include")
        except ResourceNotFoundError:
            return False
    return True


async def discard(name: str) -> bool:
    """Delete a blob together with any uncommitted blocks under its name; False if none was there.

    On Azure, deleting a name that holds only uncommitted blocks answers 404: committing an empty
    block list first turns them into an empty blob, which the delete then removes.
    """
    if await delete(name):
        return True
    client = await storage().blob(name)
    async with storage().call():
        try:
            _, uncommitted = await client.get_block_list("uncommitted")
        except ResourceNotFoundError:
            return False
        if not uncommitted:
            return False
        # Committed by someone meanwhile: it is deleted all the same.
        with contextlib.suppress(ResourceExistsError, ResourceModifiedError):
            await client.commit_block_list([], match_condition=MatchConditions.IfMissing)
    return await delete(name)


async def scan_verdict(name: str) -> str | None:
    """Defender for Storage's verdict on the blob, or None while it has not scanned it."""
    client = await storage().blob(name)
    async with storage().call():
        try:
            tags = await client.get_blob_tags()
        except ResourceNotFoundError:
            raise FileNotFound() from None
    return tags.get(SCAN_RESULT_TAG)


async def exists(name: str) -> bool:
    client = await storage().blob(name)
    async with storage().call():
        return bool(await client.exists())


async def gather_quietly(*aws: Awaitable[object]) -> None:
    """Await cleanups whose individual failure must not mask the original error."""
    await asyncio.gather(*aws, return_exceptions=True)
