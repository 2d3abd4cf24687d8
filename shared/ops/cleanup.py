"""The reaper and repair sweep: does what the expiry index says is due. Idempotent, safe to run
concurrently, bounded per run.

Every multi-step operation writes an index entry before its first step and drops it after its
last (docs/consistency.md), so whatever a crash left half-done is found here through the index,
never by scanning a table:
- `file`: an expired or withdrawn file is removed, which also finishes a delete a crash cut short;
- `upload`: a streamed upload that never answered: its blocks, blob or published file go;
- `direct`: a direct upload not completed by its SAS's expiry (shared/files/direct_uploads.py);
- `group`: a group deletion a crash cut short is finished (shared/accounts/group_deletion.py);
- `share`: an expired or deleted share goes with all its files (shared/shares/service.py);
- `token`, `buffer`, `rate`: expired records; `scan`: a malware verdict to act on;
- `reverse`: an expired upload link (shared/reverse/service.py); the files it received stay.
Rate-limit counters of ended windows are found by their own keys (shared/ops/ratelimit.py `sweep`).

Reads decide expiry: a request never serves what has expired by its own clock. This timer only
acts on entries due CLOCK_SKEW_MARGIN ago, so an instance whose clock runs ahead never deletes
what a reader may still be served. Malware verdicts are acted on at once: they are not about time.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.accounts import group_deletion, tokens
from shared.buffer import service
from shared.errors import FileNotFound
from shared.files import catalog, direct_uploads, table
from shared.notifications import notify
from shared.ops import ratelimit
from shared.reverse import service as reverse_shares
from shared.shares import service as shares
from shared.storage import blobs, expiry_index
from shared.storage.expiry_index import ExpiryEntry
from shared.storage.names import MALICIOUS, file_blob_name

logger = logging.getLogger(__name__)

# Far more than the skew between synchronised clocks (NTP keeps them within milliseconds) and
# small next to the timer's period, so nothing waits noticeably longer for its deletion.
CLOCK_SKEW_MARGIN = timedelta(seconds=60)
_CONCURRENCY = 32
_BATCH = 1000
# Entries one run looks at; the rest are due on the next run (every 5 minutes by default).
_MAX_ENTRIES_PER_RUN = 100_000
# Nor does a run take new entries after this long, so that runs on the default schedule do not
# overlap; the index itself is the continuation: what is left stays due for the next run.
TIME_BUDGET_SECONDS = 240.0


@dataclass
class CleanupReport:
    """What this run deleted itself; work a concurrent run got to first is not counted."""

    files_deleted: int = 0
    orphan_blobs_deleted: int = 0
    unacknowledged_uploads_deleted: int = 0
    groups_deleted: int = 0
    shares_deleted: int = 0
    malicious_deleted: int = 0
    buffer_items_deleted: int = 0
    upload_links_deleted: int = 0
    rate_windows_deleted: int = 0
    entries_processed: int = 0
    more_due: bool = False  # the run stopped at its bound


async def run_cleanup(
    now: datetime,
    *,
    margin: timedelta = CLOCK_SKEW_MARGIN,
    budget_seconds: float = TIME_BUDGET_SECONDS,
) -> CleanupReport:
    report = CleanupReport()
    started = time.monotonic()
    gate = asyncio.Semaphore(_CONCURRENCY)
    horizon = now - margin

    async def process(entry: ExpiryEntry) -> None:
        async with gate:
            outcome = await _process(entry, horizon, report)
            if outcome is _Outcome.KEEP:
                return
            if outcome is _Outcome.DONE:
                await expiry_index.remove(entry)
            report.entries_processed += 1

    batch: list[ExpiryEntry] = []
    seen = 0
    async for entry in expiry_index.due(now):
        if entry.kind != expiry_index.SCAN and entry.due_at > horizon:
            continue  # within the margin: next run
        if seen >= _MAX_ENTRIES_PER_RUN or time.monotonic() - started > budget_seconds:
            report.more_due = True
            break
        seen += 1
        batch.append(entry)
        if len(batch) >= _BATCH:
            await asyncio.gather(*(process(e) for e in batch))
            batch.clear()
    await asyncio.gather(*(process(e) for e in batch))
    report.rate_windows_deleted = await ratelimit.sweep(horizon, limit=_MAX_ENTRIES_PER_RUN)
    return report


class _Outcome(enum.Enum):
    KEEP = "keep"  # not due after all: look again next run
    DONE = "done"  # done: drop the entry
    ENTRY_GONE = "entry gone"  # done, and the work already dropped the entry


async def _process(entry: ExpiryEntry, horizon: datetime, report: CleanupReport) -> _Outcome:
    """Do what the entry is due for; `horizon` is now less the clock-skew margin."""
    if entry.kind == expiry_index.FILE:
        return await _file(entry, horizon, report)
    if entry.kind == expiry_index.UPLOAD:
        record = await table.get(entry.item_id)
        if record is None:
            if await blobs.discard(file_blob_name(entry.item_id)):
                report.orphan_blobs_deleted += 1
            if entry.file_due is not None:  # the file's entry, written with this one
                filed = expiry_index.entry_for(expiry_index.FILE, entry.item_id, entry.file_due)
                await expiry_index.remove(filed)
        elif await catalog.remove(record):
            # Published, but the upload never answered: nobody holds the link or the key.
            report.unacknowledged_uploads_deleted += 1
    elif entry.kind == expiry_index.DIRECT_UPLOAD:
        swept = await direct_uploads.sweep(entry.item_id, horizon)
        if swept is direct_uploads.Swept.KEEP:
            return _Outcome.KEEP
        if swept is direct_uploads.Swept.DELETED:
            report.orphan_blobs_deleted += 1
    elif entry.kind == expiry_index.SHARE:
        if await shares.expire(entry.item_id, horizon):
            report.shares_deleted += 1
    elif entry.kind == expiry_index.GROUP:
        if await group_deletion.finish(entry.item_id):
            report.groups_deleted += 1
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
    elif entry.kind == expiry_index.REVERSE_SHARE:
        if await reverse_shares.expire(entry.item_id):
            report.upload_links_deleted += 1
    else:
        logger.warning("unknown expiry entry kind %r; dropping it", entry.kind)
    return _Outcome.DONE


async def _file(entry: ExpiryEntry, horizon: datetime, report: CleanupReport) -> _Outcome:
    record = await table.get(entry.item_id)
    if record is None:
        # Removed already, or a removal that crashed after its record went: finish the job.
        await blobs.discard(file_blob_name(entry.item_id))
        return _Outcome.DONE
    if record.expires_at > horizon:
        # Live: this entry was due earlier than the record, e.g. a delete that crashed before it
        # withdrew the record. The record keeps (or gets back) an entry at its own expiry.
        await expiry_index.add(expiry_index.FILE, record.file_url, record.expires_at)
        return _Outcome.DONE
    if await catalog.remove(record, withdraw=False):  # drops the entries the record names
        report.files_deleted += 1
        if record.expires_at != table.WITHDRAWN:  # it expired; a deletion was notified already
            await notify.file_expired(record)
    gone = entry.due_at in {record.expires_at, record.original_expiry}
    return _Outcome.ENTRY_GONE if gone else _Outcome.DONE
