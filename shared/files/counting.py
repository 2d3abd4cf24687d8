"""The download counter: the one place a download is counted, claimed, given back or settled.

A file with a download limit is *claimed* before its first byte is sent: a conditional update of
the row's count on its ETag, so of concurrent claims on its last download exactly one wins and the
others answer 404. A transfer that does not complete gives its claim back (`release`); the claim
that used the file up removes it once its transfer completed.

A file without a limit is *counted* instead, best effort: nothing is at stake but the figure, so a
download is never refused because its counter is contended; a row too contended to update is
logged, not failed.

What counts as a download (decided in shared/files/download_plan.py): a GET or the download
page's POST of the bytes, or following a short link, or a redirect to storage. A request for a
`Range` counts only when the range starts at byte 0: a range from further on resumes or seeks
within a download that was counted when it started, so a player seeking through a video or a
client resuming a broken transfer does not count again. (Files with a limit ignore `Range` and
always send the whole file.) HEAD, prefetches, 304s and the download page never count.

Whether a record may still be served (`FileRecord.is_live`) is decided here, on the record read,
never inside the storage layer (shared/files/table.py only reads and writes rows).
"""

from __future__ import annotations

from datetime import datetime

from shared.errors import FileNotFound
from shared.files import catalog, table
from shared.files.records import FileRecord
from shared.storage import retry


async def take(record: FileRecord, now: datetime) -> FileRecord:
    """Count one download before a byte is sent: claimed if the file is limited, else counted."""
    if record.max_downloads is None:
        await count(record.file_url)
        return record
    return await claim(record, now)


async def claim(record: FileRecord, now: datetime) -> FileRecord:
    """Take one download of a limited file; of concurrent claims on the last, exactly one wins."""
    async for _ in retry.Attempts(what=f"a download claim on {record.file_url}"):
        if not record.is_live(now):
            raise FileNotFound()
        claimed = await table.set_count(record, record.download_count + 1)
        if claimed is not None:
            return claimed
        fresh = await table.get(record.file_url)
        if fresh is None:
            raise FileNotFound()
        record = fresh
    raise FileNotFound()


async def count(file_url: str) -> None:
    """Count a download of a file without a limit, best effort."""
    await _add(file_url, 1)


async def release(file_url: str) -> None:
    """Give back a claimed download whose transfer did not complete."""
    await _add(file_url, -1)


async def settle(claimed: FileRecord, *, completed: bool) -> None:
    """After a claimed transfer: remove a used-up file, or give back an unfinished download."""
    if not completed:
        await release(claimed.file_url)
    elif claimed.downloads_left == 0:
        await catalog.remove(claimed)


async def _add(file_url: str, delta: int) -> None:
    async for _ in retry.Attempts(what=f"the download count of {file_url}"):
        record = await table.get(file_url)
        if record is None or record.download_count + delta < 0:
            return
        if await table.set_count(record, record.download_count + delta) is not None:
            return
