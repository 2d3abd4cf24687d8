"""Direct downloads: a short-lived read-only SAS instead of streaming through the function.

A client asks for one with `?direct=1`; a file larger than MAX_UPLOAD_BYTES (only a direct upload
makes one) goes direct unasked. Everything else streams with a 200, so `curl -O` works without -L.
Only files without a download limit go direct: a SAS URL can be fetched any number of times
until it expires, so a one-time link must keep streaming through the counted path. Storage serves
the bytes with the content type and disposition the SAS fixes (`rsct`/`rscd`), chosen by the same
rules as a streamed download; the security headers of a streamed download cannot be set this way,
which is acceptable because the storage origin holds no cookies or scripts of the app.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.errors import ContentChanged
from shared.files import catalog, content_policy
from shared.files.records import FileRecord
from shared.storage import sas, staged_blobs
from shared.storage.names import file_blob_name

# Long enough to fetch the file at a slow 8 MiB/s, plus a margin; never beyond the file's life.
_BASE_LIFETIME = timedelta(minutes=15)
_SLOW_BYTES_PER_SECOND = 8 * 1024 * 1024


def goes_direct(record: FileRecord, *, asked: bool, above: int) -> bool:
    """Asked for (`?direct=1`) or larger than `above`, and never for a file with a limit."""
    if record.max_downloads is not None:
        return False
    return asked or record.size > above


def sas_lifetime(size: int) -> timedelta:
    return _BASE_LIFETIME + timedelta(seconds=size / _SLOW_BYTES_PER_SECOND)


async def read_url(record: FileRecord, *, now: datetime) -> str:
    """A read-only SAS URL for the file's published bytes, if the blob is still the one published.

    A blob rewritten through an upload SAS is never handed out: the file is removed and the answer
    is the missing file's. A direct upload's bytes are read from the snapshot taken when it was
    published, which no SAS can write: a rewrite after this check still cannot reach the reader.
    """
    name = file_blob_name(record.file_url)
    stored = await staged_blobs.committed(name)
    if stored is None or stored.etag != record.blob_etag:
        await catalog.remove(record)
        raise ContentChanged()
    headers = content_policy.response_headers(record.content_type, record.user_filename)
    return await sas.blob_sas_url(
        name,
        snapshot=record.snapshot,
        permission=sas.READ_PERMISSION,
        expiry=min(now + sas_lifetime(record.size), record.expires_at),
        now=now,
        content_type=headers["Content-Type"],
        content_disposition=headers["Content-Disposition"],
    )
