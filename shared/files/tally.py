"""Counting downloads of files without a limit: one write per file per instance at a time.

A popular file's downloads would all race for one row (a conditional write on its ETag, retried
on every lost race). Instead, on each instance, the counts that arrive while a write for the same
file is in flight are added up and written together by the next write: a group commit. Every
caller still waits for the write that carries its count, so a count is stored before the download's
first byte leaves, exactly as when each wrote alone; only instances race one another, so a file
downloaded by thousands at once costs a few writes per instance instead of thousands of retries.

Best effort, as shared/files/counting.py says: a row too contended to update is logged, not failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from shared.files import table
from shared.files.records import FileRecord
from shared.storage import retry


@dataclass
class _Tally:
    """Counts waiting for the next write of one file's row."""

    record: FileRecord
    delta: int = 0
    written: asyncio.Future[FileRecord | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    writer: asyncio.Task[None] | None = None


_open: dict[str, _Tally] = {}  # per file: the tally the next write will carry
_writers: dict[str, asyncio.Lock] = {}  # per file: one write in flight
_latest: dict[str, FileRecord] = {}  # per file: the row as this instance last wrote it


async def add(record: FileRecord, delta: int) -> FileRecord:
    """Add `delta` to the file's download count; the record with this caller's count."""
    url = record.file_url
    tally = _open.get(url)
    if tally is None:
        tally = _open[url] = _Tally(record)
        tally.writer = asyncio.ensure_future(_write(url, tally))
    before = tally.delta
    tally.delta += delta
    written = await asyncio.shield(tally.written)
    if written is None:  # not stored (the row is gone or lost every race): as if alone
        return replace(record, download_count=max(0, record.download_count + delta))
    # Within the group, this caller's count is the one before its own share of the delta.
    return replace(written, download_count=written.download_count - tally.delta + before + delta)


async def _write(url: str, tally: _Tally) -> None:
    lock = _writers.setdefault(url, asyncio.Lock())
    try:
        async with lock:
            if _open.get(url) is tally:
                del _open[url]  # from here on, new counts gather for the next write
            current: FileRecord | None = _latest.pop(url, None) or tally.record
            result: FileRecord | None = None
            async for _ in retry.Attempts(what="a download count"):
                if current is None or current.download_count + tally.delta < 0:
                    break
                counted = replace(current, download_count=current.download_count + tally.delta)
                result = await table.write_counts(counted)
                if result is not None:
                    break
                current = await table.get(url)
            if result is not None and url in _open:
                _latest[url] = result  # the next write starts from this ETag, without a read
            tally.written.set_result(result)
    except asyncio.CancelledError:
        tally.written.cancel()
        raise
    except Exception as error:  # storage down: every caller in the group sees it
        tally.written.set_exception(error)
    finally:
        if not lock.locked() and url not in _open:
            _writers.pop(url, None)
            _latest.pop(url, None)
