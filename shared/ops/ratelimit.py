"""Fixed-window rate limits per client address and endpoint group, shared by every instance.

The client address is decided by shared/http/client_address.py.

Key scheme in the `ratelimits` table: PartitionKey = "<scope>:<client address>", RowKey = the
window's start (epoch seconds). The counter is raised by a conditional update on its ETag, so
concurrent requests on any number of instances each take exactly one slot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.errors import RateLimited
from shared.storage import entities, expiry_index, retry
from shared.storage.names import RATE_LIMITS_TABLE

_ATTEMPTS = 40


async def enforce(
    scope: str, client: str, *, limit: int, window_seconds: int, now: datetime
) -> None:
    """Take one request slot, or raise RateLimited with the seconds until the window ends."""
    partition, row, window_end = _window(scope, client, window_seconds, now)
    # After a lost race, spread the retries of many requests from one address (a NAT, a busy
    # client) so they stop colliding, instead of refusing them.
    async for _ in retry.Attempts(_ATTEMPTS, what=f"a {scope} rate window"):
        counter = await entities.get(RATE_LIMITS_TABLE, partition, row)
        if counter is None:
            await expiry_index.add(
                expiry_index.RATE_WINDOW, f"{partition}|{row}", window_end + timedelta(seconds=1)
            )
            entity = {"PartitionKey": partition, "RowKey": row, "count": 1}
            if await entities.insert(RATE_LIMITS_TABLE, entity):
                return
            continue  # another request created it first
        if counter["count"] >= limit:
            raise RateLimited(_seconds_left(window_end, now))
        counted = {"PartitionKey": partition, "RowKey": row, "count": counter["count"] + 1}
        if await entities.update(RATE_LIMITS_TABLE, counted, etag=counter["etag"]):
            return
    raise RateLimited(1)


async def check(scope: str, client: str, *, limit: int, window_seconds: int, now: datetime) -> None:
    """Raise RateLimited if the window already holds `limit` requests; take no slot.

    For limits that count only failures (wrong passwords): check before the attempt, `enforce`
    after a failed one. Concurrent attempts may all pass the check; each still takes its slot.
    """
    partition, row, window_end = _window(scope, client, window_seconds, now)
    counter = await entities.get(RATE_LIMITS_TABLE, partition, row)
    if counter is not None and counter["count"] >= limit:
        raise RateLimited(_seconds_left(window_end, now))


def _window(
    scope: str, client: str, window_seconds: int, now: datetime
) -> tuple[str, str, datetime]:
    """The counter's keys and when its window ends."""
    start = int(now.timestamp()) // window_seconds * window_seconds
    window_end = datetime.fromtimestamp(start + window_seconds, tz=UTC)
    return f"{scope}:{client}", str(start), window_end


def _seconds_left(window_end: datetime, now: datetime) -> int:
    return max(1, int((window_end - now).total_seconds() + 0.999))


async def forget(item_id: str) -> None:
    """Drop a finished window's counter (cleanup)."""
    partition, _, row = item_id.rpartition("|")
    await entities.delete(RATE_LIMITS_TABLE, partition, row)
