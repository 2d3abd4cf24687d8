"""Serving a file: read the record, plan the answer (shared/files/download_plan.py), carry it out.

A counted download is claimed before the first byte is sent and settled when the transfer ends,
however it ends (shared/files/counting.py says what a break-off keeps). Settling runs shielded, so
a client that goes away cannot cancel it half way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.access.unlock import Credentials
from shared.config import Settings
from shared.errors import ContentChanged, FileNotFound, Forbidden, ShareFileLimited
from shared.files import catalog, counting, direct_downloads
from shared.files.download_plan import DownloadPlan, DownloadRequest, Kind, plan_download
from shared.files.records import FileRecord
from shared.shares.locks import lock_of
from shared.storage import blobs
from shared.storage.metering import FIRST_BYTE, METER
from shared.storage.names import file_blob_name
from shared.web import download_page

logger = logging.getLogger(__name__)

_background: set[asyncio.Task[None]] = set()


@dataclass
class DownloadResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: AsyncIterator[bytes] | None = None


async def open_download(
    request: DownloadRequest,
    *,
    credentials: Credentials,
    client: str,
    settings: Settings,
    now: datetime,
    within_share: str | None = None,
) -> DownloadResponse:
    """Serve `request`; a link with a password is checked first, before anything of the file
    (its page, a redirect, a SAS, a byte) is handed out or counted. `within_share`: the file is
    asked for under that share's path (`/s/{share_id}/files/{file_url}`) and must be in it."""
    record = await catalog.find_live(request.file_url, now)
    if within_share is not None and record.share_id != within_share:
        raise FileNotFound()
    lock = await lock_of(record)  # a file of a share: the share's password
    await lock.check(credentials=credentials, client=client, settings=settings, now=now)
    if lock.share is not None and lock.share.max_downloads is not None:
        # Served only inside the share's ZIP, so one download of the share is one thing to
        # count (docs/api.md, shares).
        raise ShareFileLimited()
    verdict = None
    if settings.malware_scanning and not record.encrypted:
        verdict = await blobs.scan_verdict(file_blob_name(record.file_url))
    plan = plan_download(
        record,
        request,
        malware_scanning=settings.malware_scanning,
        scan_verdict=verdict,
        # The contract caps what a client sends through the API (MAX_UPLOAD_BYTES), so a file
        # within it streams; only a direct upload makes a larger one, and that one goes direct.
        direct_above=settings.max_upload_bytes,
    )
    return await _carry_out(plan, record, now)


async def _carry_out(plan: DownloadPlan, record: FileRecord, now: datetime) -> DownloadResponse:
    headers = dict(plan.headers)
    match plan.kind:
        case Kind.BLOCKED:
            await catalog.remove(record)  # Defender found malware: nobody gets it, ever
            raise Forbidden("The file was blocked: malware detected")
        case Kind.PAGE:
            body = download_page.render(record, now)
            headers["Content-Length"] = str(len(body))
            return DownloadResponse(plan.status, headers, _once(body))
        case Kind.REDIRECT:
            if plan.counted:
                await counting.settle(await counting.take(record, now), completed=True)
        case Kind.GO_DIRECT:
            headers["Location"] = await direct_downloads.read_url(record, now=now)
            if plan.counted:  # only unlimited files go direct: counted as the bytes leave elsewhere
                await counting.settle(await counting.take(record, now), completed=True)
        case Kind.STREAM:
            chunks = _blocks(record, plan.start, plan.length)
            if record.max_downloads is not None:
                # A claimed download counts what it hands over from the first byte on (a break-off
                # before its content left gives it back), so its first block is not fetched ahead.
                if plan.counted:
                    record = await counting.take(record, now)
                stream = _stream(record, None, chunks, length=plan.length, counted=plan.counted)
                return DownloadResponse(plan.status, headers, stream)
            # An unlimited file's count is best effort and decides nothing: it is written while
            # the first block is fetched, not before.
            count = asyncio.ensure_future(counting.take(record, now)) if plan.counted else None
            try:
                # The first block before the answer starts: a missing or replaced blob is an
                # error answer rather than a 200 that breaks off.
                first = await anext(chunks, None)
                if count is not None:
                    record = await count
            except BaseException as error:
                await chunks.aclose()
                if isinstance(error, ContentChanged):
                    await _shielded(_discard(record))
                if count is not None:
                    await _shielded(_uncount(count, plan.length))
                raise
            stream = _stream(record, first, chunks, length=plan.length, counted=plan.counted)
            return DownloadResponse(plan.status, headers, stream)
    return DownloadResponse(plan.status, headers)


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


def _blocks(record: FileRecord, start: int, length: int) -> AsyncGenerator[bytes, None]:
    name = file_blob_name(record.file_url)
    return blobs.iter_range(name, start=start, length=length, etag=record.blob_etag)


async def _stream(
    record: FileRecord,
    first: bytes | None,
    chunks: AsyncGenerator[bytes, None],
    *,
    length: int,
    counted: bool,
) -> AsyncGenerator[bytes, None]:
    completed = False
    handed = 0  # counted before the server has them: an upper bound on what the client got
    try:
        if first is not None:
            handed += len(first)
            METER.mark(FIRST_BYTE)
            yield first
        async for chunk in chunks:
            if not handed:
                METER.mark(FIRST_BYTE)
            handed += len(chunk)
            yield chunk
        completed = True
    except ContentChanged:
        # Not the bytes that were published: this file is gone for every reader.
        await _shielded(_discard(record))
        raise
    finally:
        await chunks.aclose()
        if counted:
            settled = counting.settle(record, completed=completed, handed=handed, length=length)
            await _shielded(settled)


async def _uncount(count: asyncio.Future[FileRecord], length: int) -> None:
    """Give back the count of a download that failed before its first byte, once it is taken."""
    try:
        counted = await count
    except Exception:
        return  # not counted: nothing to give back
    await counting.settle(counted, completed=False, length=length)


async def _discard(record: FileRecord) -> None:
    """Remove a file whose blob is no longer the one published."""
    await catalog.remove(record)


async def _shielded(work: Coroutine[Any, Any, None]) -> None:
    """Finish `work` even if the request is cancelled (the client went away)."""
    task = asyncio.ensure_future(work)
    _background.add(task)
    task.add_done_callback(_report)
    await asyncio.shield(task)


def _report(task: asyncio.Task[None]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("settling a download failed", exc_info=task.exception())
