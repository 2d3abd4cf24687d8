"""Direct uploads: we authorise, the client moves the bytes straight to Blob Storage (valet key).

1. `begin` checks the same rules as a streamed upload, then records a `direct` entry in the
   expiry index due when the SAS expires, then a pending row (shared/files/pending_uploads.py),
   and hands out a SAS for that one blob: create and write only, for UPLOAD_SAS_TTL_SECONDS.
2. The client stages blocks and commits the block list; `status` lists the blocks storage already
   holds, so an interrupted client sends only the rest, and renews the SAS (a new entry first,
   then the row's expiry), never beyond MAX_UPLOAD_SECONDS after `begin`.
3. `complete` checks the group is still there and the uploader still in it, checks the committed
   size against the declared one, claims the row, replaces the content headers the client may
   have set, snapshots the blob, and publishes through shared/files/uploads.py as a streamed
   upload is published, with the blob's ETag and the snapshot on the record; then the row goes.
   Until step 3 publishes the record, nothing is visible. Every step is idempotent, so a
   retried completion finishes what a crash interrupted: it claims the row again (however
   recently claimed), leaves headers already replaced alone, and finds the record it published.

A SAS cannot be revoked, so its holder can write the blob until it expires, whatever happened
meanwhile: the entry of the last SAS handed out always stays until then. `sweep` (the cleanup
timer, at each entry) deletes the blob of an upload never completed or of a file since deleted,
and removes a published file whose blob is no longer the one published. Streamed downloads read
the blob If-Match `blob_etag`, redirects read the snapshot (shared/files/downloads.py,
direct_downloads.py), so replaced bytes are never served. A wrong size or a lost group
membership is final: row and blob go at once, and the entry stays to sweep anything the SAS
writes afterwards.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import ids
from shared.access import passwords
from shared.accounts import groups
from shared.accounts.auth import Identity
from shared.clock import expires_at
from shared.config import Settings
from shared.errors import BadRequest, FileNotFound, Forbidden, NotFound, ShareNotFound
from shared.files import catalog, pending_uploads, table, uploads
from shared.files.content_policy import guess_content_type
from shared.files.filenames import extension_of, sanitize_filename
from shared.files.pending_uploads import PENDING, PUBLISHING, PendingUpload
from shared.files.records import ENCRYPTED_NAME, ENCRYPTED_TYPE, FileRecord
from shared.http.params import is_true
from shared.ops.crashpoints import crash_point
from shared.reverse import direct as reverse_direct
from shared.shares import members as share_members
from shared.storage import blobs, expiry_index, sas, staged_blobs
from shared.storage.names import file_blob_name

MIB = 1024 * 1024
# Blocks of 8 MiB keep a fast link busy with few requests; storage commits at most 50,000 blocks,
# so files beyond 390 GiB get larger blocks.
MIN_BLOCK_SIZE = 8 * MIB
MAX_BLOCKS = 50_000
# How long a claimed completion may take before the sweep treats it as crashed.
PUBLISH_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Grant:
    """An authorised direct upload: its record, the valet key, and who it belongs to."""

    upload: PendingUpload
    upload_url: str
    identity: Identity


@dataclass(frozen=True)
class OpenUpload:
    """A direct upload not yet completed, with a fresh valet key and the blocks storage holds."""

    upload: PendingUpload
    upload_url: str
    blocks: staged_blobs.Blocks


class Swept(enum.Enum):
    KEEP = "keep"  # a completion is in progress: look again next run
    DONE = "done"  # nothing left to delete
    DELETED = "deleted"  # the abandoned blob was deleted


def block_size_for(size: int) -> int:
    """The smallest whole number of MiB (at least 8) that fits `size` into 50,000 blocks."""
    return max(MIN_BLOCK_SIZE, math.ceil(size / MAX_BLOCKS / MIB) * MIB)


async def begin(
    filename: str,
    size: int,
    options: Mapping[str, str],
    authorization: str | None,
    *,
    settings: Settings,
    now: datetime,
    password: str | None = None,
    client: str = "",
) -> Grant:
    """POST /api/uploads: check the declaration, record the pending upload, sign its SAS.

    `options` are those of `POST /api/upload` (expires_in, max_downloads, group_id, include_ext),
    as its form fields would carry them; `password` the JSON field (hashed now, kept on the
    pending row, published with the file).
    """
    filename = sanitize_filename(filename)
    if size > settings.max_direct_upload_bytes:
        raise uploads.limit_exceeded(settings.max_direct_upload_bytes)
    share_id = options.get("share_id")
    link_id = options.get("reverse_share_id")
    if share_id and link_id:
        raise BadRequest("Give share_id or reverse_share_id, not both")
    if share_id:
        # Into a share: its key authorises, and the file takes the share's limits and owner.
        share = await share_members.joinable(share_id, options, password, now=now)
        lifetime = uploads.Lifetime(settings.default_ttl_seconds, None)
        owner, identity = uploads.Owner(share.owner, share.group_id), Identity(share.owner, {})
        password_hash = await passwords.hash_password(password)
    elif link_id:  # an upload link's terms; `authorization` carries its password, if any
        reserved = await reverse_direct.reserve(
            link_id, authorization, size, client=client, settings=settings, now=now
        )
        owner, lifetime, identity = reserved.owner, reserved.lifetime, Identity(None, {})
        password_hash = None  # the owner's file: never a password of the uploader's
    else:
        lifetime = uploads.Lifetime.parse(options, settings)
        owner, identity = await uploads.resolve_owner(
            options.get("group_id") or "private", authorization, settings=settings, now=now
        )
        password_hash = await passwords.hash_password(password)
    encrypted = is_true(options.get("encrypted"))
    if encrypted:  # the real name and type are inside the ciphertext (docs/encryption.md)
        filename = ENCRYPTED_NAME
    include_ext = is_true(options.get("include_ext")) and not encrypted
    ext = extension_of(filename)
    file_url = ids.new_file_url(ext if include_ext else "")
    sas_expires_at = expires_at(now, settings.upload_sas_ttl_seconds)
    upload = PendingUpload(
        file_url=file_url,
        key=ids.new_key(),
        user_filename=filename,
        content_type=ENCRYPTED_TYPE if encrypted else guess_content_type(filename),
        size=size,
        block_size=block_size_for(size),
        ttl_seconds=lifetime.ttl_seconds,
        max_downloads=lifetime.max_downloads,
        owner=owner.username,
        group_id=owner.group_id,
        auth_error=identity.auth_error,
        created_at=now,
        sas_expires_at=sas_expires_at,
        received_via=owner.received_via,
        password_hash=password_hash,
        share_id=share_id or None,
        encrypted=encrypted,
    )
    try:
        # The entry first: whatever happens next, the sweep finds this upload.
        await expiry_index.add(expiry_index.DIRECT_UPLOAD, file_url, sas_expires_at)
        await pending_uploads.insert(upload)
    except BaseException:
        await reverse_direct.release(upload)
        raise
    return Grant(upload, await _upload_url(upload, now), identity)


async def status(
    file_url: str, key: str | None, *, settings: Settings, now: datetime
) -> OpenUpload | FileRecord:
    """GET /api/uploads/{file_url}: the blocks storage holds and a renewed SAS, or the file."""
    upload, record = await _open(file_url, key, now)
    if record is not None:
        return record
    assert upload is not None
    name = file_blob_name(file_url)
    if upload.state == PUBLISHING and await staged_blobs.committed(name) is None:
        raise _not_found()  # published, then deleted; a crash kept the row (cleanup removes it)
    upload = await _renew(upload, settings, now)
    blocks = await staged_blobs.blocks(name)
    return OpenUpload(upload, await _upload_url(upload, now), blocks)


async def _renew(upload: PendingUpload, settings: Settings, now: datetime) -> PendingUpload:
    """The upload with its SAS expiry moved to UPLOAD_SAS_TTL_SECONDS from now, at most
    MAX_UPLOAD_SECONDS after it began. The entry comes first: whatever happens next, the sweep
    looks again when the last SAS handed out expires."""
    expiry = _whole_second(
        min(
            now + timedelta(seconds=settings.upload_sas_ttl_seconds),
            upload.created_at + timedelta(seconds=settings.max_upload_seconds),
        )
    )
    if upload.state != PENDING or expiry <= upload.sas_expires_at:
        return upload
    await expiry_index.add(expiry_index.DIRECT_UPLOAD, upload.file_url, expiry)
    # Lost to a completion (or another renewal): the SAS keeps the expiry the row has.
    return await pending_uploads.extend(upload, expiry) or upload


async def complete(
    file_url: str,
    key: str | None,
    *,
    settings: Settings,
    now: datetime,
    crc32: str | None = None,
) -> tuple[uploads.Published, Identity]:
    """POST /api/uploads/{file_url}/complete: check the blob, then publish it. Idempotent.

    A file of a share needs `crc32`, its bytes' CRC-32 as the client computed it while sending
    them: the share's ZIP writes it before the bytes (shared/shares/zip_layout.py)."""
    upload, record = await _open(file_url, key, now)
    if record is not None:
        if upload is not None:
            await _settle(upload)  # a crash after publishing left the row: finish the job
        return uploads.Published(record), Identity(record.owner, {})
    assert upload is not None
    identity = Identity(upload.owner, upload.auth_error)
    checksum = share_members.parse_crc32(crc32) if upload.share_id else None
    if upload.share_id and not await share_members.is_open(upload.share_id, now):
        await _discard(upload)
        raise ShareNotFound()
    try:
        await reverse_direct.check_open(upload, now)
    except NotFound:
        await _discard(upload)
        raise
    if upload.group_id and not upload.share_id:
        try:  # authorised at `begin`; the group may be gone, or the uploader out of it, since
            await groups.require_member(upload.group_id, upload.owner or "")
        except (NotFound, Forbidden):
            await _discard(upload)
            raise
    name = file_blob_name(file_url)
    stored = await staged_blobs.committed(name)
    if stored is None:
        if upload.state == PUBLISHING:  # published, then deleted before a crash let it settle
            await _settle(upload)
            raise _not_found()
        raise BadRequest("The upload has no committed blob yet: commit the block list first")
    if stored.size != upload.size:
        await _discard(upload)
        raise BadRequest(
            f"Uploaded size {stored.size} does not match the declared size {upload.size}"
        )
    # Claimed even if a completion claimed it before: that one may have crashed, and should it
    # still be running, both publish the same record.
    claimed = await pending_uploads.claim(upload, now)
    if claimed is None:
        raise BadRequest("The upload is already being completed, try again shortly")
    crash_point("direct.claimed")
    etag = stored.etag
    if not stored.has_only(upload.content_type):
        reset = await staged_blobs.reset_headers(name, content_type=upload.content_type, etag=etag)
        if reset is None:
            await pending_uploads.release(claimed)
            raise BadRequest("The blob changed while the upload was being completed, try again")
        etag = reset
    snapshot = await staged_blobs.snapshot(name, etag=etag)
    if snapshot is None:
        await pending_uploads.release(claimed)
        raise BadRequest("The blob changed while the upload was being completed, try again")
    if upload.share_id and checksum is not None:
        published = await share_members.publish_direct(
            upload.share_id,
            file_url,
            upload.user_filename,
            blobs.StoredBlob(size=stored.size, etag=etag),
            key=upload.key,
            snapshot=snapshot,
            crc32=checksum,
            now=now,
        )
        crash_point("direct.published")
        await _settle(claimed)
        return published, identity
    try:
        published = await uploads.publish_stored(
            file_url,
            upload.user_filename,
            blobs.StoredBlob(size=stored.size, etag=etag),
            expiry_index.entry_for(expiry_index.DIRECT_UPLOAD, file_url, upload.sas_expires_at),
            snapshot=snapshot,
            encrypted=upload.encrypted,
            # Through an upload link the uploader holds the upload's secret, never the file's.
            key=ids.new_key() if upload.received_via else upload.key,
            lifetime=uploads.Lifetime(upload.ttl_seconds, upload.max_downloads),
            owner=uploads.Owner(upload.owner, upload.group_id, upload.received_via),
            settings=settings,
            now=now,
            password_hash=upload.password_hash,
        )
    except NotFound:
        # Its group was deleted meanwhile: nothing can publish this blob any more. The entry
        # stays to sweep whatever the still-valid SAS writes afterwards.
        if await pending_uploads.delete(claimed, conditional=False):
            await blobs.discard(name)
            await reverse_direct.release(claimed)
        raise
    crash_point("direct.published")
    await _settle(claimed)
    return published, identity


async def _settle(upload: PendingUpload) -> None:
    """The last step of a completion: the row. The `direct` entry stays until the SAS expires,
    when the sweep checks the blob is still the one published."""
    await pending_uploads.delete(upload, conditional=False)
    crash_point("direct.row_deleted")


async def sweep(file_url: str, now: datetime) -> Swept:
    """The cleanup timer's part, when a SAS handed out for this upload has expired: delete what
    was never completed or was deleted since, and a published file whose blob was replaced."""
    upload = await pending_uploads.get(file_url)
    # Read after the row: a completion writes the record before it deletes the row.
    record = await table.get(file_url)
    if upload is not None and record is not None:
        # Published; only the row's own deletion was lost.
        await pending_uploads.delete(upload, conditional=False)
    elif upload is not None:
        if upload.state == PENDING and upload.sas_expires_at > now:
            return Swept.DONE  # renewed: the entry of the newer SAS looks again then
        claimed_at = upload.claimed_at
        if upload.state == PUBLISHING and claimed_at and now - claimed_at < PUBLISH_GRACE:
            return Swept.KEEP
        if not await pending_uploads.delete(upload):
            return Swept.KEEP  # a completion claimed it just now
        await reverse_direct.release(upload)  # never published: its reservation is free again
    if record is not None:
        return await _verify(record)
    # No row and no record: nothing can publish this blob any more, whoever wrote it (its
    # uncommitted blocks included).
    deleted = await blobs.discard(file_blob_name(file_url))
    return Swept.DELETED if deleted else Swept.DONE


async def _verify(record: FileRecord) -> Swept:
    """Keep a published file only if its blob is still the one published."""
    stored = await staged_blobs.committed(file_blob_name(record.file_url))
    if stored is not None and stored.etag == record.blob_etag:
        return Swept.DONE
    await catalog.remove(record)
    return Swept.DELETED


async def _discard(upload: PendingUpload) -> None:
    """Drop an upload that can never be published; its entry stays for what its SAS writes."""
    if await pending_uploads.delete(upload):
        await blobs.discard(file_blob_name(upload.file_url))
        await reverse_direct.release(upload)


async def _open(
    file_url: str, key: str | None, now: datetime
) -> tuple[PendingUpload | None, FileRecord | None]:
    """The pending upload and its published file (either may be None, not both), if `key` is
    their owner secret."""
    if not ids.is_valid_file_url(file_url):
        raise _not_found()
    upload = await pending_uploads.get(file_url)
    record: FileRecord | None = None
    if upload is None or upload.state == PUBLISHING:
        record = await table.get(file_url)
    # The upload's own secret while its row exists: through an upload link it is not the file's.
    secret = upload.key if upload is not None else record.key if record is not None else None
    if secret is None:
        raise _not_found()
    if not key or not ids.secrets_match(key, secret):
        raise BadRequest("Invalid unique key")
    if record is not None and not await catalog.is_servable(record, now):
        raise FileNotFound()
    return upload, record


def _not_found() -> NotFound:
    return NotFound("Upload not found")


def _whole_second(moment: datetime) -> datetime:
    """A SAS's expiry has whole seconds: the row, the entry and the answer say exactly when."""
    return moment.replace(microsecond=0)


async def _upload_url(upload: PendingUpload, now: datetime) -> str:
    return await sas.blob_sas_url(
        file_blob_name(upload.file_url),
        permission=sas.UPLOAD_PERMISSION,
        expiry=upload.sas_expires_at,
        now=now,
    )
