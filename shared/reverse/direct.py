"""Big files through an upload link: a direct upload (shared/files/direct_uploads.py) whose
declaration names the link (`reverse_share_id`).

The declared size is reserved on the link with the file slot when the upload is authorised, so
concurrent direct and streamed uploads together never pass the link's limits; completion
publishes only a blob of exactly the declared size (direct_uploads.complete). The reservation is
given back when the upload is refused at completion or swept unfinished. The uploader holds the
upload's own secret, not the file's delete key: the file gets a new key when it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.access.unlock import Credentials
from shared.config import Settings
from shared.files import uploads
from shared.files.pending_uploads import PendingUpload
from shared.reverse import links
from shared.reverse.receive import Receipt, find_live, open_link, received


@dataclass(frozen=True)
class Reserved:
    """An authorised upload through a link: whose file it becomes, and how long it lives."""

    owner: uploads.Owner
    lifetime: uploads.Lifetime


async def reserve(
    link_id: str,
    authorization: str | None,
    size: int,
    *,
    client: str,
    settings: Settings,
    now: datetime,
) -> Reserved:
    """The link's terms, once its password came and a slot and `size` bytes were reserved."""
    credentials = Credentials.of(authorization, None)
    link = await open_link(link_id, credentials, client=client, settings=settings, now=now)
    link = await links.reserve(link.link_id, files=1, size=size, now=now)
    return Reserved(
        uploads.Owner(link.owner, link.group_id, received_via=link.link_id),
        uploads.Lifetime(link.file_ttl_seconds, None),
    )


async def release(upload: PendingUpload) -> None:
    """Give back what a direct upload through a link reserved, when it will never publish."""
    if upload.received_via:
        await links.release(upload.received_via, files=1, size=upload.size)


async def check_open(upload: PendingUpload, now: datetime) -> None:
    """At completion: the link must still be live (a revoked link takes nothing more); 404."""
    if upload.received_via:
        await find_live(upload.received_via, now)


async def completed(published: uploads.Published, link_id: str, now: datetime) -> Receipt:
    """The receipt of a completed direct upload through a link (its counters as they are now)."""
    return await received(published, await find_live(link_id, now))
