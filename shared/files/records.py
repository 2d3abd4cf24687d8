"""The stored file record, as the rest of the library sees it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


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
    etag: str = ""
    # A withdrawn record's expiry before it was withdrawn: where its expiry index entry is filed.
    original_expiry: datetime | None = None

    @property
    def downloads_left(self) -> int | None:
        if self.max_downloads is None:
            return None
        return max(0, self.max_downloads - self.download_count)

    def is_live(self, now: datetime) -> bool:
        """Visible to readers: not expired and downloads remain."""
        return self.expires_at > now and self.downloads_left != 0

    def with_count(self, download_count: int, etag: str) -> FileRecord:
        return replace(self, download_count=download_count, etag=etag)
