"""Fixed-window rate limits per client address and endpoint group, shared by every instance.

The client address is decided by shared/http/client_address.py.

Key scheme in the `ratelimits` table: PartitionKey = "<window end>:<shard>" (the window's end in
epoch seconds, 12 digits; the shard, two hex digits of a hash of the RowKey, one of 16),
RowKey = "<scope>:<window seconds>:<client address>" (windows of different lengths can end at the
same second).
A window's rows sort by the time they can go, so cleanup deletes ended windows with one range
query (`sweep`), without an expiry index entry per window; the shards spread one busy minute over
16 partitions.

The shared count only ever grows by conditional writes on the row's ETag, so instances never
admit more than `limit` together. To spare a round trip per request, an instance *reserves* slots:
one write raises the count by a batch (1, then doubling while the same address keeps coming, at
most limit / 64), and the instance admits that many requests without asking storage again. A
reservation counts before it is used, so the error is one-sided and bounded: an address may be
refused up to limit / 64 - 1 requests early per instance holding unused slots in that window, and
never admitted over the limit. Below 128 requests per window the batch is 1 and the count exact.
Requests of one address on one instance queue for its window in turn (no ETag races among them),
and the row's last ETag is kept, so a write needs no read first unless another instance wrote.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from datetime import datetime

from shared.errors import RateLimited
from shared.storage import entities, retry
from shared.storage.names import RATE_LIMITS_TABLE

_ATTEMPTS = 40
SHARDS = 16
_BATCH_SHARE = 64  # a reservation takes at most limit / 64 slots
_SWEEP_CONCURRENCY = 16
_REMEMBERED = 4096  # windows kept in memory before ended ones are forgotten


@dataclass
class _Window:
    """What this instance knows of one window's row, and the slots it reserved there."""

    end: int
    limit: int
    count: int = 0
    etag: str | None = None
    reserved: int = 0
    batch: int = 0


_windows: dict[tuple[str, str], _Window] = {}
_locks: dict[tuple[str, str], asyncio.Lock] = {}


def keys(scope: str, client: str, window_end: int, window_seconds: int) -> tuple[str, str]:
    """The (PartitionKey, RowKey) of one address's counter in the window ending at `window_end`."""
    row = f"{scope}:{window_seconds}:{client}"
    return f"{window_end:012d}:{zlib.crc32(row.encode()) % SHARDS:02x}", row


async def enforce(
    scope: str, client: str, *, limit: int, window_seconds: int, now: datetime
) -> None:
    """Take one request slot, or raise RateLimited with the seconds until the window ends."""
    end = int(now.timestamp()) // window_seconds * window_seconds + window_seconds
    key = keys(scope, client, end, window_seconds)
    retry_after = max(1, int(end - now.timestamp() + 0.999))
    _forget_ended(now)
    async with _locks.setdefault(key, asyncio.Lock()):
        window = _windows.setdefault(key, _Window(end, limit))
        if window.limit != limit:  # the setting changed (tests do): no slots reserved under it
            window.limit, window.reserved, window.batch = limit, 0, 0
        if window.reserved > 0:
            window.reserved -= 1
            return
        window.batch = min(max(1, limit // _BATCH_SHARE), max(1, window.batch * 2))
        async for _ in retry.Attempts(_ATTEMPTS, what=f"a {scope} rate window"):
            if window.count >= limit:
                raise RateLimited(retry_after)
            taken = min(window.batch, limit - window.count)
            total = window.count + taken
            row = {"PartitionKey": key[0], "RowKey": key[1], "count": total}
            if window.etag is None:
                etag = await entities.create(RATE_LIMITS_TABLE, row)
            else:
                etag = await entities.update(RATE_LIMITS_TABLE, row, etag=window.etag)
            if etag is not None:
                window.count, window.etag, window.reserved = total, etag, taken - 1
                return
            # Another instance wrote first (or created the row): see where the count stands.
            current = await entities.get(RATE_LIMITS_TABLE, *key)
            window.count = 0 if current is None else current["count"]
            window.etag = None if current is None else current["etag"]
    raise RateLimited(1)


def _forget_ended(now: datetime) -> None:
    if len(_windows) < _REMEMBERED:
        return
    moment = now.timestamp()
    for key in [key for key, window in _windows.items() if window.end < moment]:
        _windows.pop(key, None)
        lock = _locks.get(key)
        if lock is not None and not lock.locked():
            del _locks[key]


async def sweep(before: datetime, *, limit: int) -> int:
    """Delete the counters of windows that ended before `before`, at most `limit`; how many."""
    cutoff = f"{int(before.timestamp()):012d}"
    rows = await entities.query(
        RATE_LIMITS_TABLE, "PartitionKey lt @cutoff", {"cutoff": cutoff}, limit=limit
    )
    gate = asyncio.Semaphore(_SWEEP_CONCURRENCY)

    async def delete(row: entities.Entity) -> bool:
        async with gate:
            return await entities.delete(RATE_LIMITS_TABLE, row["PartitionKey"], row["RowKey"])

    return sum(await asyncio.gather(*(delete(row) for row in rows)))


async def check(scope: str, client: str, *, limit: int, window_seconds: int, now: datetime) -> None:
    """Raise RateLimited if the window already holds `limit` requests; take no slot.

    For limits that count only failures (wrong passwords): check before the attempt, `enforce`
    after a failed one. Concurrent attempts may all pass the check; each still takes its slot.
    """
    end = int(now.timestamp()) // window_seconds * window_seconds + window_seconds
    counter = await entities.get(RATE_LIMITS_TABLE, *keys(scope, client, end, window_seconds))
    if counter is not None and counter["count"] >= limit:
        raise RateLimited(max(1, int(end - now.timestamp() + 0.999)))


async def forget(item_id: str) -> None:
    """Drop a counter an expiry index entry names (windows counted before the key scheme above)."""
    partition, _, row = item_id.rpartition("|")
    await entities.delete(RATE_LIMITS_TABLE, partition, row)
