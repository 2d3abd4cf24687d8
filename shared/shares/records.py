"""A share as the library sees it: its row and its members' rows (shared/shares/table.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from shared.files.records import NO_LEASE


@dataclass(frozen=True)
class ShareRecord:
    """Many files under one link. Its limits (expiry, downloads) are the share's, never a
    member's: `download_count` counts the share's downloads (shared/shares/counting.py)."""

    share_id: str
    key: str
    title: str | None
    created_at: datetime
    expires_at: datetime
    max_downloads: int | None
    download_count: int = 0
    owner: str | None = None
    group_id: str | None = None
    password_hash: str | None = None
    etag: str = ""
    leased: int = 0
    lease_until: datetime = NO_LEASE
    original_expiry: datetime | None = None

    @property
    def downloads_left(self) -> int | None:
        if self.max_downloads is None:
            return None
        return max(0, self.max_downloads - self.download_count)

    def is_live(self, now: datetime) -> bool:
        """Not expired, not deleted, and downloads remain once ended leases are given back."""
        return self.expires_at > now and self.reaped(now).downloads_left != 0

    def reaped(self, now: datetime) -> ShareRecord:
        """Claims whose lease has ended given back (as FileRecord.reaped); same ETag."""
        if self.leased and self.lease_until <= now:
            return replace(self, download_count=max(0, self.download_count - self.leased), leased=0)
        return self


@dataclass(frozen=True)
class Member:
    """One file of a share, as its row in the share's partition repeats it: enough to list the
    share and lay out its ZIP in one partition query, without reading each file's record."""

    file_url: str
    user_filename: str
    size: int
    content_type: str
    crc32: int
    created_at: datetime
    blob_etag: str
