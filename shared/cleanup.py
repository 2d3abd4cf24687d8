"""The reaper: deletes what the expiry index says is due. Idempotent, safe to run concurrently."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from shared.storage import blobs, expiry_index, file_table
from shared.storage.expiry_index import ExpiryEntry
from shared.storage.names import file_blob_name

logger = logging.getLogger(__name__)

_CONCURRENCY = 16


@dataclass
class CleanupReport:
    """What this run deleted itself; work a concurrent run got to first is not counted."""

    files_deleted: int = 0
    orphan_blobs_deleted: int = 0
    entries_processed: int = 0


async def run_cleanup(now: datetime) -> CleanupReport:
    report = CleanupReport()
    gate = asyncio.Semaphore(_CONCURRENCY)

    async def process(entry: ExpiryEntry) -> None:
        async with gate:
            await _process(entry, now, report)

    batch: list[ExpiryEntry] = []
    async for entry in expiry_index.due(now):
        batch.append(entry)
        if len(batch) >= 1000:
            await asyncio.gather(*(process(e) for e in batch))
            batch.clear()
    await asyncio.gather(*(process(e) for e in batch))
    return report


async def _process(entry: ExpiryEntry, now: datetime, report: CleanupReport) -> None:
    record = await file_table.get(entry.item_id)
    if entry.kind == expiry_index.FILE:
        if record is not None and record.expires_at <= now:
            if await file_table.delete(record.file_url):
                report.files_deleted += 1
            await blobs.delete(file_blob_name(record.file_url))
        elif record is None:
            # Record already gone (deleted, consumed, or a crash mid-removal): finish the job.
            await blobs.delete(file_blob_name(entry.item_id))
        else:
            return  # not this entry's time after all; keep it
    elif (
        entry.kind == expiry_index.UPLOAD
        and record is None
        and await blobs.delete(file_blob_name(entry.item_id))
    ):
        report.orphan_blobs_deleted += 1
    await expiry_index.remove(entry)
    report.entries_processed += 1
