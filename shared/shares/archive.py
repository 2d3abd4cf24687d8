"""`GET /s/{share_id}/zip`: every file of a share as one ZIP, streamed from Blob Storage.

The archive's bytes are a function of the share's members (shared/shares/zip_layout.py), so its
length and ETag are known before the first byte, and a `Range` maps to header bytes and blob
ranges: a broken download resumes where it stopped. Memory stays bounded whatever the total:
one file's blocks in flight at a time (shared/storage/blobs.py `iter_range`). `plan_zip` decides
from data alone (as shared/files/download_plan.py does for a file); `open_zip` carries it out.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.access.unlock import Credentials
from shared.config import Settings
from shared.errors import ContentChanged
from shared.files import catalog, table
from shared.files.filenames import content_disposition
from shared.http.etags import if_range_allows, none_match_hits
from shared.http.ranges import parse_range
from shared.shares import counting, service
from shared.shares.records import Member, ShareRecord
from shared.shares.zip_layout import Entry, Layout, layout, unique_names
from shared.storage import blobs
from shared.storage.names import file_blob_name

logger = logging.getLogger(__name__)

_background: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class ZipRequest:
    share_id: str
    head: bool = False
    prefetch: bool = False
    range_header: str | None = None
    if_range: str | None = None
    if_none_match: str | None = None


@dataclass(frozen=True)
class ZipPlan:
    status: int
    headers: dict[str, str]
    start: int = 0
    length: int = 0
    send: bool = False  # a body follows
    counted: bool = False


@dataclass
class ZipResponse:
    status: int
    headers: dict[str, str]
    body: AsyncIterator[bytes] | None = None


def archive_of(share: ShareRecord, members: list[Member]) -> tuple[Layout, str]:
    """The layout of the share's archive and its strong ETag (a digest of everything it holds)."""
    names = unique_names([member.user_filename for member in members])
    entries = [
        Entry(name, member.size, member.crc32, member.created_at, member.file_url)
        for name, member in zip(names, members, strict=True)
    ]
    digest = hashlib.sha256(share.share_id.encode())
    for entry, member in zip(entries, members, strict=True):
        digest.update(f"\0{entry.name}\0{entry.source}\0{member.blob_etag}".encode())
    return layout(entries), f'"{digest.hexdigest()[:32]}"'


def archive_name(share: ShareRecord) -> str:
    return f"{share.title or share.share_id}.zip"


def plan_zip(share: ShareRecord, size: int, etag: str, request: ZipRequest) -> ZipPlan:
    """The answer to `request`: headers, which bytes, whether it counts. A share with a download
    limit ignores `Range` (each request is a whole download) and answers a prefetch 204."""
    limited = share.max_downloads is not None
    headers = {
        "Content-Type": "application/zip",
        "Content-Disposition": content_disposition("attachment", archive_name(share)),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store" if limited else "private, no-cache",
        "Accept-Ranges": "none" if limited else "bytes",
        "ETag": etag,
    }
    if limited and request.prefetch:
        return ZipPlan(204, {"Cache-Control": "no-store"})
    if not limited and none_match_hits(request.if_none_match, etag):
        return ZipPlan(304, {"ETag": etag, "Cache-Control": headers["Cache-Control"]})
    start, length, status = 0, size, 200
    if not limited and if_range_allows(request.if_range, etag):
        wanted = parse_range(request.range_header, size)
        if wanted is not None:
            start, length, status = wanted.start, wanted.length, 206
            headers["Content-Range"] = wanted.content_range(size)
    headers["Content-Length"] = str(length)
    if request.head:
        return ZipPlan(status, headers, start, length)
    # A range past byte 0 continues a download that counted when it started.
    return ZipPlan(status, headers, start, length, send=True, counted=start == 0)


async def open_zip(
    request: ZipRequest, *, credentials: Credentials, client: str, settings: Settings, now: datetime
) -> ZipResponse:
    share, members = await service.open_live(
        request.share_id, credentials=credentials, client=client, settings=settings, now=now
    )
    plan_layout, etag = archive_of(share, members)
    plan = plan_zip(share, plan_layout.size, etag, request)
    if not plan.send:
        return ZipResponse(plan.status, plan.headers)
    if plan.counted:
        share = await counting.take(share, plan_layout.size, now)
    etags = {member.file_url: member.blob_etag for member in members}
    body = _stream(share, plan_layout, etags, plan)
    return ZipResponse(plan.status, plan.headers, body)


async def _bytes(
    layout_: Layout, etags: dict[str, str], start: int, length: int
) -> AsyncGenerator[bytes, None]:
    for piece in layout_.slice(start, length):
        if piece.entry is None:
            yield piece.data
            continue
        source = piece.entry.source
        chunks = blobs.iter_range(
            file_blob_name(source), start=piece.offset, length=piece.length, etag=etags[source]
        )
        try:
            async for chunk in chunks:
                yield chunk
        except ContentChanged:
            # Not the bytes published (rewritten through a still-valid upload SAS): that file
            # leaves the share for every reader, and this archive breaks off.
            await _shielded(_remove(source))
            raise
        finally:
            await chunks.aclose()


async def _remove(file_url: str) -> None:
    record = await table.get(file_url)
    if record is not None:
        await catalog.remove(record)


async def _stream(
    share: ShareRecord, layout_: Layout, etags: dict[str, str], plan: ZipPlan
) -> AsyncGenerator[bytes, None]:
    completed, handed = False, 0
    chunks = _bytes(layout_, etags, plan.start, plan.length)
    try:
        async for chunk in chunks:
            handed += len(chunk)
            yield chunk
        completed = True
    finally:
        await chunks.aclose()
        if plan.counted:
            await _shielded(
                counting.settle(share, completed=completed, handed=handed, length=plan.length)
            )


async def _shielded(work: Coroutine[Any, Any, None]) -> None:
    """Finish settling even if the client went away and the request is cancelled."""
    task = asyncio.ensure_future(work)
    _background.add(task)
    task.add_done_callback(_report)
    await asyncio.shield(task)


def _report(task: asyncio.Task[None]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("settling a share download failed", exc_info=task.exception())
