"""Upload links an account hands out: create, list, revoke, and their expiry.

Write order: the `reverse` expiry entry (due when the link expires), the owner's pointer, then
the link row (shared/reverse/links.py). Revoking deletes the link row first, so uploads stop at
once, then the pointer; cleanup does the same when the entry falls due. A crash in between leaves
a pointer without a link, which listing skips and drops.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import ids
from shared.access import passwords
from shared.accounts import groups
from shared.clock import expires_at
from shared.errors import BadRequest, UploadLinkNotFound
from shared.reverse import links
from shared.reverse.links import ReverseShare
from shared.storage import expiry_index, keys

# Bounds what listing costs (one point read per link) and what one account can hand out.
MAX_PER_ACCOUNT = 100
# Longer than a creation's two writes can take apart (storage calls time out within seconds).
_CREATION_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class NewLink:
    """What the owner asked for, validated (functions/_schemas/reverse.py)."""

    max_files: int
    max_bytes: int
    ttl_seconds: int
    file_ttl_seconds: int
    password: str | None = None
    group_id: str | None = None


async def create(owner: str, new: NewLink, *, now: datetime) -> ReverseShare:
    """A new link of `owner`'s; a group link needs `owner` to be a member (400/403/404).

    Links count until the cleanup timer removes them, a few minutes after they expire.
    """
    if len(await links.pointers_of(owner)) >= MAX_PER_ACCOUNT:
        raise BadRequest(
            f"Too many upload links: an account has at most {MAX_PER_ACCOUNT}", error_id=42
        )
    group_id = None
    if new.group_id and new.group_id != "private":
        group_id = (await groups.require_member(new.group_id, owner)).group_id
    link = ReverseShare(
        link_id=ids.new_file_url(),  # the same 96 unguessable bits as a file's link
        owner=owner,
        group_id=group_id,
        created_at=now,
        expires_at=expires_at(now, new.ttl_seconds),
        max_files=new.max_files,
        max_bytes=new.max_bytes,
        file_ttl_seconds=new.file_ttl_seconds,
        password_hash=await passwords.hash_password(new.password),
    )
    await expiry_index.add(expiry_index.REVERSE_SHARE, _entry_id(link), link.expires_at)
    await links.insert(link)
    return link


async def of_owner(owner: str, now: datetime) -> list[ReverseShare]:
    """The owner's live links, oldest first, with their counters."""
    pointers = await links.pointers_of(owner)
    found = await asyncio.gather(*(links.get(link_id) for link_id, _ in pointers))
    live: list[ReverseShare] = []
    for (link_id, created_at), link in zip(pointers, found, strict=True):
        if link is None and now - created_at > _CREATION_GRACE:
            # Revoked or expired, its pointer left by a crash: drop it now. A recent pointer may
            # be a creation between its two writes, whose link row is about to exist.
            await links.delete(link_id, keys.user_key(owner))
        elif link is not None and link.is_live(now):
            live.append(link)
    return live


async def revoke(owner: str, link_id: str) -> None:
    """Delete one of `owner`'s links at once; 404 for anyone else's, or none at all."""
    link = await links.get(link_id) if ids.is_valid_file_url(link_id) else None
    if link is None or keys.user_key(link.owner) != keys.user_key(owner):
        raise UploadLinkNotFound()
    await links.delete(link.link_id, keys.user_key(link.owner))


async def expire(entry_id: str) -> bool:
    """The cleanup timer's part: delete the link and its pointer; False if already gone."""
    link_id, _, owner_key = entry_id.partition(":")
    return await links.delete(link_id, owner_key)


def _entry_id(link: ReverseShare) -> str:
    return f"{link.link_id}:{keys.user_key(link.owner)}"
