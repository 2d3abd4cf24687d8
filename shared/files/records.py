"""The stored file record, as the rest of the library sees it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

# `lease_until` of a record without claims in flight.
NO_LEASE = datetime(1970, 1, 1, tzinfo=UTC)
# What the server knows of an encrypted file's name and type: nothing (they travel encrypted).
ENCRYPTED_NAME = "encrypted.bin"
ENCRYPTED_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class FileRecord:
    """One shared file. `etag` is the table row's, for conditional updates."""

    file_url: str
    key: str
    user_filename: str
    ext: str
    content_type: str
    size: int
    created_at: datetime
    expires_at: datetime
    max_downloads: int | None
    download_count: int
    blob_etag: str
    redirect_url: str | None = None  # the shortener's target (shared/files/shortener.py)
    owner: str | None = None
    group_id: str | None = None
    # A direct upload's snapshot of the published blob, which its write SAS cannot change:
    # redirects read it (shared/files/direct_downloads.py), streams read the blob If-Match `etag`.
    snapshot: str | None = None
    etag: str = ""
    # Claims of a limited file whose transfer has not settled, and when the last of them is given
    # up for lost (shared/files/counting.py). `download_count` includes them.
    leased: int = 0
    lease_until: datetime = NO_LEASE
    # The link's password, as an Argon2id hash (shared/access/passwords.py); None: no password.
    password_hash: str | None = None
    # A withdrawn record's expiry before it was withdrawn: where its expiry index entry is filed.
    original_expiry: datetime | None = None
    # The share this file belongs to (shared/shares/), which its reads check too; None alone.
    share_id: str | None = None
    # The bytes' CRC-32, computed as they arrived: a share's ZIP needs it before sending them.
    crc32: int | None = None
    # The reverse share (upload link) a stranger sent this file through (shared/reverse/).
    received_via: str | None = None
    # Encrypted in the client (docs/encryption.md): the bytes are ciphertext, the name and type
    # neutral; never previewed, inlined, shortened or scanned, and browsers get the decrypt page.
    encrypted: bool = False

    @property
    def downloads_left(self) -> int | None:
        if self.max_downloads is None:
            return None
        return max(0, self.max_downloads - self.download_count)

    def is_live(self, now: datetime) -> bool:
        """Visible to readers: not expired, and downloads remain once ended leases are reaped."""
        return self.expires_at > now and self.reaped(now).downloads_left != 0

    def reaped(self, now: datetime) -> FileRecord:
        """The record with the claims in flight given back if their lease has ended: their host
        crashed, or their transfer never started. Same ETag: a write of it is conditional on the
        row as it was read."""
        if self.leased and self.lease_until <= now:
            return replace(self, download_count=max(0, self.download_count - self.leased), leased=0)
        return self
