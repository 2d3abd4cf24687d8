"""Image previews on a share's page: `GET /s/{share_id}/preview/{file_url}`.

A thumbnail is a page view, never a download: only raster images of types no browser runs as
code (PNG, JPEG, GIF, WebP; never SVG) up to PREVIEW_MAX_BYTES, of shares without a download
limit (a limited share's files are only downloaded inside its ZIP), and never counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from shared.access.unlock import Credentials
from shared.config import Settings
from shared.errors import FileNotFound
from shared.shares import service
from shared.shares.records import Member, ShareRecord
from shared.storage import blobs
from shared.storage.names import file_blob_name

PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
PREVIEW_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Preview:
    headers: dict[str, str]
    body: AsyncIterator[bytes]


def previewable(share: ShareRecord, member: Member) -> bool:
    return (
        share.max_downloads is None
        and member.content_type in PREVIEW_TYPES
        and 0 < member.size <= PREVIEW_MAX_BYTES
    )


async def open_preview(
    share_id: str,
    file_url: str,
    *,
    credentials: Credentials,
    client: str,
    settings: Settings,
    now: datetime,
) -> Preview:
    share, members = await service.open_live(
        share_id, credentials=credentials, client=client, settings=settings, now=now
    )
    member = next((m for m in members if m.file_url == file_url), None)
    if member is None or not previewable(share, member):
        raise FileNotFound()
    chunks = blobs.iter_range(
        file_blob_name(member.file_url), start=0, length=member.size, etag=member.blob_etag
    )
    first = await anext(chunks)  # a missing or replaced blob is a 404, not a broken 200

    async def body() -> AsyncIterator[bytes]:
        try:
            yield first
            async for chunk in chunks:
                yield chunk
        finally:
            await chunks.aclose()

    headers = {
        "Content-Type": member.content_type,
        "Content-Length": str(member.size),
        "Content-Disposition": "inline",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=300",
    }
    return Preview(headers, body())
