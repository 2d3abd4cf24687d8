"""Receiving a file: stream it into a blob, then publish its record.

Write order, so that a crash at any point leaves nothing half-visible and nothing unfindable:
1. an `upload` entry in the expiry index, due an hour from now;
2. the blob, committed only once every byte arrived within the size limit;
3. the file's own expiry entry, then its record (the moment it becomes visible);
4. the `upload` entry is dropped. If the process dies between 1 and 4, cleanup finds the entry,
   sees no record, and deletes the blob.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import groups, ids, listing
from shared.auth import Identity, authenticate, identify
from shared.config import Settings
from shared.content_policy import guess_content_type
from shared.errors import BadRequest, PayloadTooLarge
from shared.expiry import expires_at, parse_max_downloads, parse_ttl
from shared.filenames import extension_of, sanitize_filename
from shared.models import FileRecord
from shared.multipart import MultipartReader, is_multipart
from shared.storage import blobs, expiry_index, file_table
from shared.storage.names import file_blob_name

logger = logging.getLogger(__name__)

ORPHAN_GRACE = timedelta(hours=1)
# Multipart framing around the file: boundaries, part headers, a few small fields.
_MULTIPART_SLACK = 64 * 1024
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Owner:
    """Who the file belongs to; both None for an anonymous upload."""

    username: str | None = None
    group_id: str | None = None


def too_large(settings: Settings) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"File size exceeds the limit ({_human_size(settings.max_upload_bytes)})"
    )


def check_declared_length(content_length: str | None, settings: Settings, *, slack: int) -> None:
    """Refuse before reading a byte when the declared body is already too big."""
    if (
        content_length
        and content_length.isdigit()
        and int(content_length) > settings.max_upload_bytes + slack
    ):
        raise too_large(settings)


async def receive_multipart(
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    *,
    query: Mapping[str, str],
    owner: Owner,
    settings: Settings,
    now: datetime,
) -> FileRecord:
    """The contract's upload: one `file` part; options as query parameters or form fields."""
    if not is_multipart(content_type):
        raise BadRequest("No file uploaded")
    check_declared_length(content_length, settings, slack=_MULTIPART_SLACK)
    fields = dict(query)
    staged: _Staged | None = None
    try:
        async for part in MultipartReader(content_type, body).parts():
            if part.filename is None:
                fields[part.name] = await part.text()
            elif part.name == "file" and staged is None:
                include_ext = fields.get("include_ext", "").lower() in _TRUE
                staged = await _stage(part.chunks(), part.filename, include_ext, settings, now)
            elif part.name == "file":
                raise BadRequest("Only one file is allowed")
        if staged is None:
            raise BadRequest("No file uploaded")
        return await _publish(staged, fields, owner, settings, now)
    except BaseException:
        if staged is not None:
            await _discard(staged)
        raise


async def receive_raw(
    filename: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    *,
    query: Mapping[str, str],
    owner: Owner,
    settings: Settings,
    now: datetime,
) -> FileRecord:
    """`curl -T`: the body is the file, the name comes from the path."""
    check_declared_length(content_length, settings, slack=0)
    include_ext = query.get("include_ext", "").lower() in _TRUE
    staged = await _stage(body, filename, include_ext, settings, now)
    try:
        return await _publish(staged, query, owner, settings, now)
    except BaseException:
        await _discard(staged)
        raise


@dataclass(frozen=True)
class _Staged:
    file_url: str
    filename: str
    ext: str
    content_type: str
    stored: blobs.StoredBlob
    pending: expiry_index.ExpiryEntry


async def _stage(
    chunks: AsyncIterator[bytes],
    raw_name: str,
    include_ext: bool,
    settings: Settings,
    now: datetime,
) -> _Staged:
    filename = sanitize_filename(raw_name)
    ext = extension_of(filename)
    content_type = guess_content_type(filename)
    file_url = ids.new_file_url(ext if include_ext else "")
    pending = await expiry_index.add(expiry_index.UPLOAD, file_url, now + ORPHAN_GRACE)
    try:
        stored = await blobs.upload_stream(
            file_blob_name(file_url),
            chunks,
            max_bytes=settings.max_upload_bytes,
            too_large=lambda: too_large(settings),
            content_type=content_type,
        )
    except BaseException:
        await blobs.gather_quietly(expiry_index.remove(pending))
        raise
    return _Staged(file_url, filename, ext, content_type, stored, pending)


async def _publish(
    staged: _Staged, options: Mapping[str, str], owner: Owner, settings: Settings, now: datetime
) -> FileRecord:
    ttl = parse_ttl(
        options.get("expires_in"),
        default=settings.default_ttl_seconds,
        maximum=settings.max_ttl_seconds,
    )
    record = FileRecord(
        file_url=staged.file_url,
        key=ids.new_key(),
        user_filename=staged.filename,
        ext=staged.ext,
        content_type=staged.content_type,
        size=staged.stored.size,
        created_at=now,
        expires_at=expires_at(now, ttl),
        max_downloads=parse_max_downloads(options.get("max_downloads")),
        download_count=0,
        blob_etag=staged.stored.etag,
        owner=owner.username,
        group_id=owner.group_id,
    )
    await expiry_index.add(expiry_index.FILE, record.file_url, record.expires_at)
    await file_table.insert(record)
    try:
        await listing.add(record)
    except BaseException:
        await blobs.gather_quietly(file_table.delete(record.file_url))
        raise
    await blobs.gather_quietly(expiry_index.remove(staged.pending))
    if settings.malware_scanning:
        await expiry_index.add(expiry_index.SCAN, record.file_url, now)
    return record


async def _discard(staged: _Staged) -> None:
    """Undo a staged upload now; if that fails too, its `upload` entry lets cleanup do it."""
    try:
        await blobs.delete(file_blob_name(staged.file_url))
    except Exception:
        logger.warning("could not discard blob of %s; cleanup will", staged.file_url)
        return
    await blobs.gather_quietly(expiry_index.remove(staged.pending))


def _human_size(size: int) -> str:
    """As the contract words its limit: "100MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return f"{size} bytes"


async def resolve_owner(
    group_id: str, authorization: str | None, *, settings: Settings, now: datetime
) -> tuple[Owner, Identity]:
    """`private` works anonymously (reporting a failed token); a group needs a member's token."""
    if group_id == "private":
        identity = await identify(authorization, settings=settings, now=now)
        return Owner(username=identity.username), identity
    claims = await authenticate(authorization, settings=settings, now=now)
    group = await groups.require_member(group_id, claims.username)
    return Owner(username=claims.username, group_id=group.group_id), Identity(claims.username, {})
