"""Receiving a file through an upload link: anyone with the link sends, the link's owner gets it.

1. The link is read (404 if missing, expired or revoked; a group link also if its creator left
   the group) and its password checked.
2. A file slot is reserved on the link (shared/reverse/links.py `reserve`): of concurrent uploads
   at most `files_left` get one. The file then streams as any upload does
   (shared/files/uploads.py), cut off at the link's bytes left (or the service's per-file limit).
3. Before it is published, its size is reserved too: if uploads running meanwhile took the bytes,
   it is refused (413, errorId 41) and its blob discarded. The link's counters can therefore never
   pass its limits, however many uploads race.
4. Published as the owner's (or the group's) file with `received_via` = the link's id and the
   link's file lifetime. What fails after the slot was reserved gives the reservation back.
The uploader's receipt names what was received and what the link still accepts, never the file's
link or key. A crash between 2 and 4 leaves a reservation nobody gives back: the counters err on
the side of refusing, never of accepting more than the limits.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from shared.access.unlock import Credentials, check_access
from shared.accounts import groups
from shared.config import Settings
from shared.errors import Forbidden, NotFound, UploadLinkBytesExhausted, UploadLinkNotFound
from shared.files import uploads
from shared.ids import is_valid_file_url
from shared.notifications import events, notify
from shared.reverse import links
from shared.reverse.links import ReverseShare

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """What the uploader learns: their file's name and size, and what the link still takes."""

    user_filename: str
    size: int
    files_left: int
    bytes_left: int
    published: uploads.Published


async def find_live(link_id: str, now: datetime) -> ReverseShare:
    """The link, if it is live and can still deliver to its owner; 404 otherwise."""
    link = await links.get(link_id) if is_valid_file_url(link_id) else None
    if link is None or not link.is_live(now):
        raise UploadLinkNotFound()
    if link.group_id:
        try:
            await groups.require_member(link.group_id, link.owner)
        except (NotFound, Forbidden):
            raise UploadLinkNotFound() from None
    return link


async def open_link(
    link_id: str, credentials: Credentials, *, client: str, settings: Settings, now: datetime
) -> ReverseShare:
    """The live link, once its password (if it has one) came (shared/access/unlock.py: HTTP
    Basic, wrong passwords rate-limited per client and per link)."""
    link = await find_live(link_id, now)
    await check_access(
        link_id=link.link_id,
        password_hash=link.password_hash,
        credentials=credentials,
        client=client,
        settings=settings,
        now=now,
        expires_at=link.expires_at,
    )
    return link


async def receive(
    link_id: str,
    credentials: Credentials,
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    *,
    client: str,
    settings: Settings,
    now: datetime,
) -> Receipt:
    """POST /r/{link_id} (multipart, one `file` part): steps 1 to 4."""
    link = await open_link(link_id, credentials, client=client, settings=settings, now=now)
    link = await links.reserve(link.link_id, files=1, size=0, now=now)
    reserved = 0

    async def admit(size: int) -> None:
        nonlocal link, reserved
        link = await links.reserve(link.link_id, files=0, size=size, now=now)
        reserved = size

    intake = uploads.Intake(
        lifetime=uploads.Lifetime(link.file_ttl_seconds, None),
        max_bytes=link.bytes_left,
        too_large=UploadLinkBytesExhausted,
        admit=admit,
    )
    try:
        published = await uploads.receive_multipart(
            content_type,
            content_length,
            body,
            query={},
            owner=uploads.Owner(link.owner, link.group_id, received_via=link.link_id),
            settings=settings,
            now=now,
            intake=intake,
        )
    except BaseException:
        await links.release(link.link_id, files=1, size=reserved)
        raise
    return await received(published, link)


async def received(published: uploads.Published, link: ReverseShare) -> Receipt:
    """Tell the owner's webhooks (never failing the upload), and the uploader what arrived."""
    record = published.record
    await notify.emit(
        link.owner,
        events.reverse_share_received(
            share_id=link.link_id,
            file_url=record.file_url,
            name=record.user_filename,
            size=record.size,
        ),
    )
    return Receipt(record.user_filename, record.size, link.files_left, link.bytes_left, published)
