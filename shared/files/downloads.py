"""Serving a file: conditional requests, ranges, the shortener, and counted downloads.

A download is claimed (counted) before the first byte is sent and given back if the transfer
does not complete, so a one-time link is neither served twice nor burnt by a dropped connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.config import Settings
from shared.errors import BeingScanned, Forbidden
from shared.files import catalog, content_policy, direct_downloads, table
from shared.files.filenames import content_disposition
from shared.files.records import FileRecord
from shared.http.accept import best_offer
from shared.http.etags import if_range_allows, none_match_hits
from shared.http.ranges import parse_range
from shared.notifications import notify
from shared.storage import blobs
from shared.storage.names import MALICIOUS, file_blob_name
from shared.web import download_page
from shared.web.page_security import download_page_headers

logger = logging.getLogger(__name__)

_background: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class DownloadRequest:
    file_url: str
    head: bool = False
    prefetch: bool = False
    range_header: str | None = None
    if_none_match: str | None = None
    if_range: str | None = None
    accept: str | None = None
    # POST from the download page's button: the explicit click that downloads and counts.
    confirmed: bool = False
    direct: bool = False  # `?direct=1`: redirect to storage when the file allows it


@dataclass
class DownloadResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: AsyncIterator[bytes] | None = None


async def open_download(
    request: DownloadRequest, *, settings: Settings, now: datetime
) -> DownloadResponse:
    record = await catalog.find_live(request.file_url, now)
    if settings.malware_scanning:
        await _require_clean(record)
    limited = record.max_downloads is not None
    if limited and _wants_page(request):
        return _page(record, now)
    validators = {
        "ETag": record.blob_etag,
        # A limited file must never be replayed from a cache.
        "Cache-Control": "no-store" if limited else "private, no-cache",
    }
    if limited:
        validators["Vary"] = "Accept"
    if none_match_hits(request.if_none_match, record.blob_etag):
        return DownloadResponse(304, validators)
    if request.prefetch and limited:
        return DownloadResponse(204, {"Cache-Control": "no-store"})

    counted = not (request.head or request.prefetch)
    target = record.redirect_url
    if target is not None:
        if counted:
            await _settle(await _claim(record, now), completed=True)
        return DownloadResponse(302, {"Location": target, "Cache-Control": "no-store"})

    if not request.head and direct_downloads.goes_direct(
        record, asked=request.direct, settings=settings
    ):
        location = await direct_downloads.read_url(record, now=now)
        if counted:  # only unlimited files go direct: counted now, as the bytes leave elsewhere
            await _settle(await _claim(record, now), completed=True)
        return DownloadResponse(
            302,
            {"Location": location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    headers = {
        **content_policy.response_headers(record.content_type, record.user_filename),
        **validators,
    }
    if request.confirmed:
        headers["Content-Disposition"] = content_disposition("attachment", record.user_filename)
    byte_range = None
    if not limited:
        headers["Accept-Ranges"] = "bytes"
        if if_range_allows(request.if_range, record.blob_etag):
            byte_range = parse_range(request.range_header, record.size)
    start, length = (byte_range.start, byte_range.length) if byte_range else (0, record.size)
    headers["Content-Length"] = str(length)
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = byte_range.content_range(record.size)
    if request.head:
        return DownloadResponse(status, headers)
    if counted:
        record = await _claim(record, now)
    return DownloadResponse(status, headers, _stream(record, start, length, counted=counted))


def _wants_page(request: DownloadRequest) -> bool:
    """A browser navigating to a limited file: its Accept prefers HTML to the bytes.

    curl and API clients (`*/*` or no Accept) tie, and a tie goes to the bytes.
    """
    if request.head or request.confirmed:
        return False
    return best_offer(request.accept, ["application/octet-stream", "text/html"]) == "text/html"


def _page(record: FileRecord, now: datetime) -> DownloadResponse:
    body = download_page.render(record, now)
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": str(len(body)),
        "Cache-Control": "no-store",
        "Vary": "Accept",
        **download_page_headers(),
    }
    return DownloadResponse(200, headers, _once(body))


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


async def _require_clean(record: FileRecord) -> None:
    """Serve only what Defender for Storage found clean; a malicious file is deleted at once."""
    verdict = await blobs.scan_verdict(file_blob_name(record.file_url))
    if verdict is None:
        raise BeingScanned()
    if verdict == MALICIOUS:
        await catalog.remove(record)
        raise Forbidden("The file was blocked: malware detected")


async def _stream(
    record: FileRecord, start: int, length: int, *, counted: bool
) -> AsyncIterator[bytes]:
    completed = False
    try:
        if length:
            async for chunk in blobs.iter_range(
                file_blob_name(record.file_url), start=start, length=length, etag=record.blob_etag
            ):
                yield chunk
        completed = True
    finally:
        if counted:
            await _shielded(_settle(record, completed=completed))


async def _claim(record: FileRecord, now: datetime) -> FileRecord:
    """Count the download before a byte is sent. A limited file's last download goes to exactly
    one claimant; an unlimited file's count is best effort, so a popular file is never refused
    because its counter is contended."""
    if record.max_downloads is None:
        await table.count_download(record.file_url)
        return record.with_count(record.download_count + 1, record.etag)
    return await table.claim_download(record, now)


async def _settle(record: FileRecord, *, completed: bool) -> None:
    """After a counted transfer: remove a used-up file, or give back an unfinished download."""
    if not completed:
        await table.release_download(record.file_url)
    elif record.downloads_left == 0:
        await catalog.remove(record)
    if completed:
        notify.file_downloaded(record)


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
