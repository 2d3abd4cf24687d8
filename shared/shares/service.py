"""Creating a share, adding files to it, reading it, and removing it as one item.

A share's row (shared/shares/table.py) holds its options; its files are ordinary file records
that name it (`share_id`) with the share's expiry and no download limit of their own, and a member
row in the share's partition. Write order (docs/consistency.md, shares):
- create: a `share` expiry entry due when the share expires (the timer's one handle on the share
  and every file in it), then the share row;
- add a file: an `upload` entry due in 15 minutes, the blob (its CRC-32 computed as the bytes
  pass), the file record (reachable only by its own id, which nobody holds yet), the member row
  (now in the share's listing and ZIP), a check that the share was not deleted meanwhile; the
  `upload` entries are dropped only as the answer leaves, so a crash before it leaves files the
  timer deletes (cleanup's `upload` kind removes the record, its member row and the blob);
- remove: the `share` entry due at once, the share row withdrawn (a tombstone: the share and all
  its files are gone to every reader at once), each file removed (shared/files/catalog.py,
  member row included), the share row deleted, the entries dropped.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import ids
from shared.access import passwords
from shared.access.unlock import Credentials
from shared.accounts import file_rights, groups
from shared.clock import expires_at
from shared.config import Settings
from shared.errors import BadRequest, Forbidden, ShareNotFound
from shared.files import catalog, table
from shared.files.content_policy import guess_content_type
from shared.files.filenames import extension_of, sanitize_filename
from shared.files.records import FileRecord
from shared.files.uploads import (
    ORPHAN_GRACE,
    Lifetime,
    Owner,
    check_declared_length,
    stream_to_blob,
)
from shared.http.multipart import MAX_FIELDS, MultipartReader, is_multipart
from shared.ops.crashpoints import crash_point
from shared.shares import table as shares_table
from shared.shares.locks import Lock
from shared.shares.records import Member, ShareRecord
from shared.storage import blobs, expiry_index, retry
from shared.storage.names import file_blob_name

logger = logging.getLogger(__name__)

MAX_FILES = 1000
MAX_TITLE = 200
_MULTIPART_SLACK = 64 * 1024


@dataclass(frozen=True)
class Received:
    """A request's outcome: the share, the files it added, and their `upload` entries, which
    `acknowledge` drops once the answer is on its way."""

    share: ShareRecord
    added: tuple[FileRecord, ...]
    pending: tuple[expiry_index.ExpiryEntry, ...] = ()


@dataclass(frozen=True)
class _Staged:
    file_url: str
    filename: str
    size: int
    etag: str
    crc32: int
    pending: expiry_index.ExpiryEntry


def parse_title(raw: str | None) -> str | None:
    title = (raw or "").strip()
    if len(title) > MAX_TITLE:
        raise BadRequest(f"title must be at most {MAX_TITLE} characters", error_id=32)
    return title or None


async def create(
    options: Mapping[str, str], owner: Owner, *, settings: Settings, now: datetime
) -> ShareRecord:
    """A new, empty share; 400 for a bad option. A `password` is stored as its Argon2id hash."""
    lifetime = Lifetime.parse(options, settings)
    title = parse_title(options.get("title"))
    password_hash = await passwords.hash_password(options.get("password"))
    share = ShareRecord(
        share_id=ids.new_file_url(),
        key=ids.new_key(),
        title=title,
        created_at=now,
        expires_at=expires_at(now, lifetime.ttl_seconds),
        max_downloads=lifetime.max_downloads,
        owner=owner.username,
        group_id=owner.group_id,
        password_hash=password_hash,
    )
    await expiry_index.add(expiry_index.SHARE, share.share_id, share.expires_at)
    await shares_table.insert(share)
    crash_point("share.created")
    return share


async def create_with_files(
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    *,
    query: Mapping[str, str],
    owner: Owner,
    settings: Settings,
    now: datetime,
) -> Received:
    """`POST /api/shares` as multipart: the files are stored first, then the share is created
    with the options (query or form fields, before or after the files) and the files join it."""
    Lifetime.parse(query, settings)  # a bad query option fails before a byte is read
    parse_title(query.get("title"))
    fields, staged = await _receive(content_type, content_length, body, dict(query), settings, now)
    try:
        share = await create(fields, owner, settings=settings, now=now)
        added = await _join(share, staged, now)
    except BaseException:
        await _discard(staged)
        raise
    return Received(share, added, tuple(item.pending for item in staged))


async def add_files(
    share_id: str,
    key: str | None,
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    *,
    settings: Settings,
    now: datetime,
) -> Received:
    """`POST /api/shares/{share_id}/files?key=`: more files into a live share."""
    share = await find_owned(share_id, key, now)
    _, members = await shares_table.contents(share_id)
    _, staged = await _receive(content_type, content_length, body, {}, settings, now)
    try:
        if len(members) + len(staged) > MAX_FILES:
            raise _too_many()
        added = await _join(share, staged, now)
    except BaseException:
        await _discard(staged)
        raise
    return Received(share, added, tuple(item.pending for item in staged))


async def acknowledge(received: Received) -> None:
    """As the answer leaves: from now on the client holds the share's key, so its files stay."""
    await blobs.gather_quietly(*(expiry_index.remove(entry) for entry in received.pending))


def _too_many() -> BadRequest:
    return BadRequest(f"A share holds at most {MAX_FILES} files", error_id=33)


async def _receive(
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    fields: dict[str, str],
    settings: Settings,
    now: datetime,
) -> tuple[dict[str, str], list[_Staged]]:
    """Every `file` part streamed into its own blob; the other parts as fields."""
    if not is_multipart(content_type):
        raise BadRequest("No file uploaded")
    check_declared_length(content_length, settings, slack=_MULTIPART_SLACK)
    staged: list[_Staged] = []
    field_count = 0
    try:
        async for part in MultipartReader(content_type, body).parts():
            if part.name == "file" and part.filename is not None:
                if len(staged) >= MAX_FILES:
                    raise _too_many()
                # One budget for the request, as for an upload: MAX_UPLOAD_BYTES in all.
                budget = settings.max_upload_bytes - sum(item.size for item in staged)
                staged.append(await _stage(part.chunks(), part.filename, budget, settings, now))
                continue
            field_count += 1
            if field_count > MAX_FIELDS:
                raise BadRequest(f"Too many form fields ({MAX_FIELDS} at most)")
            value = await part.text()
            if part.filename is None:
                fields[part.name] = value
        if not staged:
            raise BadRequest("No file uploaded")
    except BaseException:
        await _discard(staged)
        raise
    return fields, staged


async def _stage(
    chunks: AsyncIterator[bytes], raw_name: str, budget: int, settings: Settings, now: datetime
) -> _Staged:
    filename = sanitize_filename(raw_name)
    file_url = ids.new_file_url()
    pending = await expiry_index.add(expiry_index.UPLOAD, file_url, now + ORPHAN_GRACE)
    crc = 0

    async def checksummed() -> AsyncIterator[bytes]:
        nonlocal crc
        async for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            yield chunk

    stored = await stream_to_blob(
        file_blob_name(file_url),
        checksummed(),
        guard=pending,
        content_type=guess_content_type(filename),
        settings=settings,
        budget=budget,
    )
    crash_point("share.blob_stored")
    return _Staged(file_url, filename, stored.size, stored.etag, crc, pending)


async def _join(share: ShareRecord, staged: list[_Staged], now: datetime) -> tuple[FileRecord, ...]:
    """Publish each staged blob as a file of `share`: record, then member row."""
    added = []
    for position, item in enumerate(staged):
        stored = blobs.StoredBlob(size=item.size, etag=item.etag)
        # A millisecond apart, so the member rows keep the order the files came in.
        at = now + timedelta(milliseconds=position)
        added.append(
            await publish_member(share, item.file_url, item.filename, stored, item.crc32, at)
        )
    await check_still_open(share.share_id, added, now)
    return tuple(added)


async def publish_member(
    share: ShareRecord,
    file_url: str,
    filename: str,
    stored: blobs.StoredBlob,
    crc32: int,
    now: datetime,
    *,
    key: str | None = None,
    snapshot: str | None = None,
) -> FileRecord:
    """The file's record (reachable by its id only), then its member row (in the share). A
    retry after a crash finds the record it wrote and writes the member row again."""
    record = FileRecord(
        file_url=file_url,
        key=key or ids.new_key(),
        user_filename=filename,
        ext=extension_of(filename),
        content_type=guess_content_type(filename),
        size=stored.size,
        created_at=now,
        expires_at=share.expires_at,
        max_downloads=None,
        download_count=0,
        blob_etag=stored.etag,
        owner=share.owner,
        group_id=share.group_id,
        snapshot=snapshot,
        share_id=share.share_id,
        crc32=crc32,
    )
    if not await table.insert(record):
        existing = await table.get(file_url)
        if existing is None or existing.share_id != share.share_id:
            raise RuntimeError("file_url collision")  # 96 random bits: never
        record = existing
    crash_point("share.file_inserted")
    await shares_table.add_member(record)
    crash_point("share.member_added")
    return record


async def check_still_open(share_id: str, added: list[FileRecord], now: datetime) -> None:
    """Deleted (or used up) while these files arrived? The removal may have listed the share
    before their rows were in it, so the request takes them back: 404."""
    current = await shares_table.get(share_id)
    if current is None or not current.is_live(now):
        for record in added:
            await catalog.remove(record)
        raise ShareNotFound()


async def _discard(staged: list[_Staged]) -> None:
    """Undo staged files now; what fails stays with its `upload` entry, for cleanup."""
    for item in staged:
        try:
            record = await table.get(item.file_url)
            if record is not None:
                await catalog.remove(record)
            else:
                await blobs.discard(file_blob_name(item.file_url))
        except Exception:
            logger.warning("could not discard a share's staged file; cleanup will")
            continue
        await blobs.gather_quietly(expiry_index.remove(item.pending))


async def find_live(share_id: str, now: datetime) -> tuple[ShareRecord, list[Member]]:
    """The share and its files if it may be served now (ended leases given back); one 404 for
    missing, expired, used up and deleted alike."""
    if not ids.is_valid_file_url(share_id):
        raise ShareNotFound()
    share, members = await shares_table.contents(share_id)
    if share is None or not share.is_live(now):
        raise ShareNotFound()
    if share.group_id and await groups.is_gone(share.group_id):
        raise ShareNotFound()  # its group is being deleted: so are its files
    return share.reaped(now), members


async def open_live(
    share_id: str, *, credentials: Credentials, client: str, settings: Settings, now: datetime
) -> tuple[ShareRecord, list[Member]]:
    """`find_live`, then the share's password (shared/access/unlock.py): PasswordRequired or
    WrongPassword (401) before anything of the share is shown, served or counted."""
    share, members = await find_live(share_id, now)
    await Lock.of_share(share).check(
        credentials=credentials, client=client, settings=settings, now=now
    )
    return share, members


async def find_owned(share_id: str, key: str | None, now: datetime) -> ShareRecord:
    share, _ = await find_live(share_id, now)
    if not key or not ids.secrets_match(key, share.key):
        raise BadRequest("Invalid unique key", error_id=34)
    return share


async def _find_any(share_id: str) -> ShareRecord:
    share = await shares_table.get(share_id) if ids.is_valid_file_url(share_id) else None
    if share is None:
        raise ShareNotFound()
    return share


async def delete_with_key(share_id: str, key: str | None) -> None:
    """The holder of the key deletes the share and its files: 404 unknown, 400 wrong key."""
    share = await _find_any(share_id)
    if not key or not ids.secrets_match(key, share.key):
        raise BadRequest("Invalid unique key", error_id=34)
    await remove(share)


async def delete_as(share_id: str, username: str) -> None:
    """The share's creator (or its group's owner) deletes it with a token."""
    share = await _find_any(share_id)
    if not await file_rights.may_manage_item(share.owner, share.group_id, username):
        raise Forbidden("You don't have any permissions to delete this share", error_id=35)
    await remove(share)


async def remove(share: ShareRecord, *, withdraw: bool = True) -> bool:
    """Remove the share and its files in steps a retry or the cleanup timer can finish (module
    docstring). True if this call deleted the share's row. `withdraw=False` is the timer's, for a
    share that expired: unservable already, and the entry it processes is the handle."""
    filed = {share.expires_at}
    if share.original_expiry is not None:
        filed.add(share.original_expiry)
    if withdraw:
        await expiry_index.add(expiry_index.SHARE, share.share_id, table.WITHDRAWN)
        filed.add(table.WITHDRAWN)
        await _withdraw(share)
    crash_point("share.withdrawn")
    _, members = await shares_table.contents(share.share_id)
    for member in members:
        record = await table.get(member.file_url)
        if record is not None:
            await catalog.remove(record, withdraw=False)
        else:  # a removal that crashed after the record went: finish it
            await blobs.discard(file_blob_name(member.file_url))
            await shares_table.remove_member(share.share_id, member.file_url, member.created_at)
    crash_point("share.files_removed")
    removed = await shares_table.delete(share.share_id)
    for due_at in filed:
        await expiry_index.remove(
            expiry_index.entry_for(expiry_index.SHARE, share.share_id, due_at)
        )
    return removed


async def _withdraw(share: ShareRecord) -> None:
    async for _ in retry.Attempts(what="withdrawing a share"):
        if share.expires_at == table.WITHDRAWN or await shares_table.withdraw(share):
            return
        fresh = await shares_table.get(share.share_id)
        if fresh is None:
            return
        share = fresh
    raise RuntimeError("withdrawing a share lost every race")


async def expire(share_id: str, horizon: datetime) -> bool | None:
    """The cleanup timer's work for a `share` entry: remove the share if it expired or was
    withdrawn; None if it is live (the caller files its entry again at its expiry)."""
    share = await shares_table.get(share_id)
    if share is None:
        return False
    if share.expires_at > horizon:
        await expiry_index.add(expiry_index.SHARE, share.share_id, share.expires_at)
        return None
    return await remove(share, withdraw=False)
