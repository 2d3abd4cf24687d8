"""The reaper: deletes what the expiry index says is due. Idempotent, safe to run concurrently."""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from shared.accounts import tokens
from shared.buffer import service
from shared.errors import FileNotFound
from shared.files import catalog, direct_uploads, table
from shared.notifications import notify
from shared.ops import ratelimit
from shared.storage import blobs, expiry_index
from shared.storage.expiry_index import ExpiryEntry
from shared.storage.names import MALICIOUS, file_blob_name

logger = logging.getLogger(__name__)

_CONCURRENCY = 16
_BATCH = 1000


@dataclass
class CleanupReport:
    """What this run deleted itself; work a concurrent run got to first is not counted."""

    files_deleted: int = 0
    orphan_blobs_deleted: int = 0
    malicious_deleted: int = 0
    buffer_items_deleted: int = 0
    entries_processed: int = 0


async def run_cleanup(now: datetime) -> CleanupReport:
    report = CleanupReport()
    gate = asyncio.Semaphore(_CONCURRENCY)

    async def process(entry: ExpiryEntry) -> None:
        async with gate:
            outcome = await _process(entry, now, report)
            if outcome is _Outcome.KEEP:
                return
            if outcome is _Outcome.DONE:
                await expiry_index.remove(entry)
            report.entries_processed += 1

    batch: list[ExpiryEntry] = []
    async for entry in expiry_index.due(now):
        batch.append(entry)
        if len(batch) >= _BATCH:
            await asyncio.gather(*(process(e) for e in batch))
            batch.clear()
    await asyncio.gather(*(process(e) for e in batch))
    return report


class _Outcome(enum.Enum):
    KEEP = "keep"  # not due after all: look again next run
    DONE = "done"  # done: drop the entry
    ENTRY_GONE = "entry gone"  # done, and the work already dropped the entry


async def _process(entry: ExpiryEntry, now: datetime, report: CleanupReport) -> _Outcome:
    """Do what the entry is due for."""
    if entry.kind == expiry_index.FILE:
        record = await table.get(entry.item_id)
        if record is None:
            # Record already gone (deleted, consumed, or a crash mid-removal): finish the job.
            await blobs.delete(file_blob_name(entry.item_id))
        elif record.expires_at > now:
            return _Outcome.KEEP
        else:
            if await catalog.remove(record):  # removes this very entry last
                report.files_deleted += 1
                await notify.file_expired(record)
            return _Outcome.ENTRY_GONE
    elif entry.kind == expiry_index.UPLOAD:
        record = await table.get(entry.item_id)
        if record is None and await blobs.delete(file_blob_name(entry.item_id)):
            report.orphan_blobs_deleted += 1
    elif entry.kind == expiry_index.DIRECT_UPLOAD:
        swept = await direct_uploads.sweep(entry.item_id, now)
        if swept is direct_uploads.Swept.KEEP:
            return _Outcome.KEEP
        if swept is direct_uploads.Swept.DELETED:
            report.orphan_blobs_deleted += 1
    elif entry.kind == expiry_index.SCAN:
        record = await table.get(entry.item_id)
        if record is not None:
            try:
                verdict = await blobs.scan_verdict(file_blob_name(record.file_url))
            except FileNotFound:
                return _Outcome.DONE  # the file went away meanwhile
            if verdict is None:
                return _Outcome.KEEP  # not scanned yet: look again next run
            if verdict == MALICIOUS and await catalog.remove(record):
                report.malicious_deleted += 1
    elif entry.kind == expiry_index.TOKEN:
        await tokens.forget(entry.item_id)
    elif entry.kind == expiry_index.BUFFER:
        if await service.expire(entry.item_id):
            report.buffer_items_deleted += 1
    elif entry.kind == expiry_index.RATE_WINDOW:
        await ratelimit.forget(entry.item_id)
    else:
        logger.warning("unknown expiry entry kind %r; dropping it", entry.kind)
    return _Outcome.DONE
