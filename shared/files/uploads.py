"""Receiving a file: stream it into a blob, then publish its record.

Write order, so that a crash at any point leaves nothing half-visible and nothing unfindable
(docs/consistency.md):
1. an `upload` entry in the expiry index, due ORPHAN_GRACE from now, and with it (concurrently)
   the file's own expiry entry when the options give its lifetime before the file's bytes;
2. the blob, committed only once every byte arrived within the size limit;
3. the file's own expiry entry unless written in 1, then its record (the moment it becomes
   visible by link), then its listing row; a group upload then checks that its group was not
   deleted meanwhile;
4. the account's private file is counted against MAX_FILES_PER_USER (shared/files/limit.py),
   which may delete the account's oldest files; the new one is published whatever happens there;
5. `acknowledge` drops the `upload` entry as the answer leaves (functions/upload.py).
If the process dies before 5, nobody received the file's link and key: cleanup finds the entry
when it is due and deletes whatever the upload got to write, published or not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import ids
from shared.access import passwords
from shared.accounts import groups, listing
from shared.accounts.auth import Identity, authenticate, identify
from shared.clock import expires_at, parse_max_downloads, parse_ttl
from shared.config import Settings
from shared.errors import BadRequest, NotFound, PayloadTooLarge, ServiceError
from shared.files import catalog, limit, shortener, table
from shared.files.content_policy import guess_content_type
from shared.files.filenames import extension_of, sanitize_filename
from shared.files.records import ENCRYPTED_TYPE, FileRecord
from shared.http.multipart import MAX_FIELDS, MultipartReader, is_multipart
from shared.http.params import is_true, whole_number
from shared.ops.crashpoints import crash_point
from shared.sizes import human_size
from shared.storage import blobs, expiry_index
from shared.storage.names import file_blob_name

logger = logging.getLogger(__name__)

# Longer than any upload can take (the Functions front end cuts an HTTP call at 230 s), so the
# `upload` entry falls due only for uploads that died, plus the cleanup's clock-skew margin.
ORPHAN_GRACE = timedelta(minutes=15)
# Multipart framing around the file: boundaries, part headers, a few small fields.
_MULTIPART_SLACK = 64 * 1024


@dataclass(frozen=True)
class Lifetime:
    """How long a file lives and how often it may be downloaded (None: unlimited)."""

    ttl_seconds: int
    max_downloads: int | None

    @classmethod
    def parse(cls, options: Mapping[str, str], settings: Settings) -> Lifetime:
        """`expires_in` and `max_downloads` as the contract's options spell them; 400 if invalid."""
        ttl = parse_ttl(
            options.get("expires_in"),
            default=settings.default_ttl_seconds,
            maximum=settings.max_ttl_seconds,
        )
        return cls(ttl, parse_max_downloads(options.get("max_downloads")))


@dataclass(frozen=True)
class Owner:
    """Who the file belongs to; both None for an anonymous upload. `received_via` names the
    reverse share a stranger sent it through (shared/reverse/)."""

    username: str | None = None
    group_id: str | None = None
    received_via: str | None = None


@dataclass(frozen=True)
class Intake:
    """A receiver's terms in place of the uploader's options (reverse shares): the lifetime,
    the most bytes the file may have (`too_large` past them), and `admit`, called with the staged
    size before anything is published; what it raises undoes the upload."""

    lifetime: Lifetime
    max_bytes: int
    too_large: Callable[[], ServiceError]
    admit: Callable[[int], Awaitable[None]]


def too_large(settings: Settings) -> PayloadTooLarge:
    return limit_exceeded(settings.max_upload_bytes)


def limit_exceeded(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"File size exceeds the limit ({human_size(limit)})")


def check_declared_length(content_length: str | None, settings: Settings, *, slack: int) -> None:
    """Refuse before reading a byte when the declared body is already too big."""
    declared = whole_number(content_length)
    if declared is not None and declared > settings.max_upload_bytes + slack:
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
    intake: Intake | None = None,
) -> Published:
    """The contract's upload: one `file` part; options as query parameters or form fields, but
    `password` only as a form field (functions/_http.py refuses it in a query string)."""
    if not is_multipart(content_type):
        raise BadRequest("No file uploaded")
    check_declared_length(content_length, settings, slack=_MULTIPART_SLACK)
    if intake is None:
        Lifetime.parse(query, settings)  # a bad query option fails before a byte is read
    fields = dict(query)
    field_count = 0
    staged: _Staged | None = None
    try:
        async for part in MultipartReader(content_type, body).parts():
            if part.name == "file" and part.filename is not None:
                if staged is not None:
                    raise BadRequest("Only one file is allowed")
                include_ext = is_true(fields.get("include_ext"))
                expires = _expiry_so_far(fields, settings, now)
                staged = await _stage(
                    part.chunks(), part.filename, include_ext, settings, now, expires, intake=intake
                )
                continue
            # Every other part is a field, bounded in size and number (other files included).
            field_count += 1
            if field_count > MAX_FIELDS:
                raise BadRequest(f"Too many form fields ({MAX_FIELDS} at most)")
            value = await part.text()
            if part.filename is None:
                fields[part.name] = value
        if staged is None:
            raise BadRequest("No file uploaded")
        if intake is not None:  # the receiver's terms: no option of the uploader's applies
            await intake.admit(staged.stored.size)
            lifetime, password_hash = intake.lifetime, None
        else:
            lifetime = Lifetime.parse(fields, settings)
            password_hash = await passwords.hash_password(fields.get("password"))
        record = await _publish(staged, lifetime, owner, settings, now, password_hash=password_hash)
    except BaseException:
        if staged is not None:
            await _discard(staged)
        raise
    published = await _count(record, settings, now, pending=staged.pending)
    crash_point("upload.published")
    return published


async def receive_raw(
    filename: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    *,
    query: Mapping[str, str],
    owner: Owner,
    settings: Settings,
    now: datetime,
) -> Published:
    """`curl -T`: the body is the file, the name comes from the path."""
    check_declared_length(content_length, settings, slack=0)
    lifetime = Lifetime.parse(query, settings)  # before a byte is read
    include_ext = is_true(query.get("include_ext"))
    expires = expires_at(now, lifetime.ttl_seconds)
    staged = await _stage(body, filename, include_ext, settings, now, expires)
    try:
        record = await _publish(staged, lifetime, owner, settings, now)
    except BaseException:
        await _discard(staged)
        raise
    published = await _count(record, settings, now, pending=staged.pending)
    crash_point("upload.published")
    return published


@dataclass(frozen=True)
class Published:
    """A published upload, and the account's files it pushed over MAX_FILES_PER_USER.

    `pending` is a streamed upload's `upload` entry, until `acknowledge` drops it.
    """

    record: FileRecord
    evicted: tuple[FileRecord, ...] = ()
    pending: expiry_index.ExpiryEntry | None = None


async def acknowledge(published: Published) -> None:
    """Step 5, as the answer leaves: from now on a client holds the link, so the file stays.

    Dropped any earlier, a crash before the answer would leave a file whose link and key nobody
    received, stored until it expires. A crash after this, before the answer reaches the client,
    still does, but that window is only the hand-over of the answer.
    """
    if published.pending is not None:
        await expiry_index.remove(published.pending)


async def _count(
    record: FileRecord,
    settings: Settings,
    now: datetime,
    *,
    pending: expiry_index.ExpiryEntry | None = None,
) -> Published:
    """Count an account's private file; a failure here must not undo a published upload."""
    try:
        evicted = await limit.count_upload(record, limit=settings.max_files_per_user, now=now)
    except Exception:
        logger.exception("counting an upload against its account's file limit failed")
        evicted = ()
    return Published(record, evicted, pending)


@dataclass(frozen=True)
class _Staged:
    file_url: str
    filename: str
    ext: str
    content_type: str
    stored: blobs.StoredBlob
    pending: expiry_index.ExpiryEntry
    encrypted: bool = False
    filed: datetime | None = None  # the expiry the file's entry was written at with `pending`


async def _stage(
    chunks: AsyncIterator[bytes],
    raw_name: str,
    include_ext: bool,
    settings: Settings,
    now: datetime,
    expires: datetime | None,
    *,
    intake: Intake | None = None,
) -> _Staged:
    filename = sanitize_filename(raw_name)
    ext = extension_of(filename)
    content_type = guess_content_type(filename)
    file_url = ids.new_file_url(ext if include_ext else "")
    # Both handles before the first byte is stored, together: the file's own entry (when its
    # lifetime is known by now) is what finds the record later, and needs no blob or record yet.
    handles = [
        expiry_index.add(expiry_index.UPLOAD, file_url, now + ORPHAN_GRACE, file_due=expires)
    ]
    if expires is not None:
        handles.append(expiry_index.add(expiry_index.FILE, file_url, expires))
    pending, *_ = await asyncio.gather(*handles)
    try:
        stored = await stream_to_blob(
            file_blob_name(file_url),
            chunks,
            guard=pending,
            content_type=content_type,
            settings=settings,
            keep_up_to=shortener.MAX_BYTES if ext == ".txt" else 0,
            intake=intake,
        )
    except BaseException:
        if expires is not None:
            filed = expiry_index.entry_for(expiry_index.FILE, file_url, expires)
            await blobs.gather_quietly(expiry_index.remove(filed))
        raise
    crash_point("upload.blob_stored")
    return _Staged(file_url, filename, ext, content_type, stored, pending, filed=expires)


async def stream_to_blob(
    name: str,
    chunks: AsyncIterator[bytes],
    *,
    guard: expiry_index.ExpiryEntry,
    content_type: str,
    settings: Settings,
    keep_up_to: int = 0,
    intake: Intake | None = None,
    budget: int | None = None,
) -> blobs.StoredBlob:
    """Stream an upload into a new blob within MAX_UPLOAD_BYTES (and the intake's bytes, and
    `budget`: what is left of MAX_UPLOAD_BYTES for a request that carries several files).

    `guard` is the expiry entry written first so cleanup can find the blob after a crash. When
    the upload fails (too large, client gone, storage down) its staged blocks are freed at once
    and the entry dropped; if even that fails, the entry stays and cleanup frees them later.
    """
    max_bytes = settings.max_upload_bytes
    refusal: Callable[[], ServiceError] = lambda: too_large(settings)  # noqa: E731
    if budget is not None:
        max_bytes = min(max_bytes, budget)
    if intake is not None and intake.max_bytes < max_bytes:
        max_bytes, refusal = intake.max_bytes, intake.too_large
    try:
        return await blobs.upload_stream(
            name,
            chunks,
            max_bytes=max_bytes,
            too_large=refusal,
            content_type=content_type,
            keep_up_to=keep_up_to,
        )
    except BaseException:
        try:
            await blobs.discard(name)
        except Exception:
            logger.warning("could not free the blocks of %s; cleanup will", name)
        else:
            await blobs.gather_quietly(expiry_index.remove(guard))
        raise


async def publish_stored(
    file_url: str,
    filename: str,
    stored: blobs.StoredBlob,
    pending: expiry_index.ExpiryEntry,
    *,
    key: str,
    snapshot: str,
    encrypted: bool = False,
    lifetime: Lifetime,
    owner: Owner,
    settings: Settings,
    now: datetime,
    password_hash: str | None = None,
) -> Published:
    """Publish a blob a client wrote straight to storage (files/direct_uploads.py) as any upload.

    Step 3 above, with `key` the owner secret the client was already given and `snapshot` the
    published bytes' snapshot. `pending`, the entry due when the client's write SAS expires,
    stays, so the sweep then checks the blob is still the one published (files/direct_uploads.py
    `sweep`). A retry after a crash finds the record it published and finishes the steps after it.
    """
    content_type = ENCRYPTED_TYPE if encrypted else guess_content_type(filename)
    staged = _Staged(
        file_url, filename, extension_of(filename), content_type, stored, pending, encrypted
    )
    record = await _publish(
        staged,
        lifetime,
        owner,
        settings,
        now,
        key=key,
        snapshot=snapshot,
        password_hash=password_hash,
    )
    return await _count(record, settings, now)


async def _publish(
    staged: _Staged,
    lifetime: Lifetime,
    owner: Owner,
    settings: Settings,
    now: datetime,
    *,
    key: str | None = None,
    snapshot: str | None = None,
    password_hash: str | None = None,
) -> FileRecord:
    # A link with a password is never a shortener redirect: its target is its whole content,
    # and a redirect is for passing a link on, not for guarding it. It is served as text.
    redirect_url = None if password_hash else await _shortened_url(staged)
    record = FileRecord(
        file_url=staged.file_url,
        key=key or ids.new_key(),
        user_filename=staged.filename,
        ext=staged.ext,
        content_type=staged.content_type,
        size=staged.stored.size,
        created_at=now,
        expires_at=expires_at(now, lifetime.ttl_seconds),
        max_downloads=lifetime.max_downloads,
        download_count=0,
        blob_etag=staged.stored.etag,
        redirect_url=redirect_url,
        owner=owner.username,
        group_id=owner.group_id,
        snapshot=snapshot,
        received_via=owner.received_via,
        password_hash=password_hash,
        encrypted=staged.encrypted,
    )
    if staged.filed != record.expires_at:  # not written with the upload's own entry
        refiled: list[Awaitable[object]] = [
            expiry_index.add(expiry_index.FILE, record.file_url, record.expires_at)
        ]
        if staged.filed is not None:  # a form field after the file changed the lifetime
            hinted = expiry_index.entry_for(expiry_index.FILE, record.file_url, staged.filed)
            refiled.append(expiry_index.remove(hinted))
        await asyncio.gather(*refiled)
    if not await table.insert(record):
        record = await _republished(record)
    crash_point("upload.record_inserted")
    try:
        await listing.add(record)
    except BaseException:
        await blobs.gather_quietly(table.delete(record.file_url))
        raise
    if owner.group_id and await groups.is_gone(owner.group_id):
        # Deleted while this upload ran: the deletion may have read the group's listing before
        # this row was in it, so the upload takes its file back (a crash here: see step 5).
        await catalog.remove(record)
        raise NotFound("Group not found")
    if settings.malware_scanning and not record.encrypted:  # ciphertext: nothing to scan
        await expiry_index.add(expiry_index.SCAN, record.file_url, now)
    return record


async def _republished(record: FileRecord) -> FileRecord:
    """The record a previous attempt of this very publication wrote (same file_url, same key)."""
    existing = await table.get(record.file_url)
    if existing is None or not ids.secrets_match(record.key, existing.key):
        raise RuntimeError("file_url collision")  # 96 random bits: never
    return existing


async def _shortened_url(staged: _Staged) -> str | None:
    if staged.encrypted or not shortener.applies(staged.ext, staged.stored.size):
        return None
    content = staged.stored.content
    if content is None:  # written by the client straight to storage: read it once, now
        content = await blobs.read_head(file_blob_name(staged.file_url), shortener.MAX_BYTES)
    return shortener.target(content)


async def _discard(staged: _Staged) -> None:
    """Undo a staged upload now; if that fails too, its `upload` entry lets cleanup do it."""
    try:
        await blobs.discard(file_blob_name(staged.file_url))  # its uncommitted blocks too
    except Exception:
        logger.warning("could not discard an upload's blob; cleanup will")
        return
    entries = [expiry_index.remove(staged.pending)]
    if staged.filed is not None:
        filed = expiry_index.entry_for(expiry_index.FILE, staged.file_url, staged.filed)
        entries.append(expiry_index.remove(filed))
    await blobs.gather_quietly(*entries)


def _expiry_so_far(fields: Mapping[str, str], settings: Settings, now: datetime) -> datetime | None:
    """The expiry the options read so far give (form fields after the file may still change it:
    then the file's entry is written again at publication); None if they are not valid."""
    try:
        return expires_at(now, Lifetime.parse(fields, settings).ttl_seconds)
    except BadRequest:
        return None


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
