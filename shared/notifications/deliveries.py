"""Delivery attempts in the `deliveries` table: what GET /api/webhooks/{id}/deliveries shows.

Key scheme: PartitionKey = the endpoint id, RowKey = ids.newest_first(when): one partition query
lists an endpoint's attempts newest first. Every write trims the partition to HISTORY rows, so it
stays small; removing an endpoint removes its partition. Statuses: `delivered` (the receiver
answered 2xx), `error` (an attempt failed; the queue retries it unless it was the last one) and
`failed` (every attempt failed: the message was poisoned).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared import ids
from shared.storage import entities
from shared.storage.names import DELIVERIES_TABLE

HISTORY = 50
DELIVERED = "delivered"
ERROR = "error"
FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    event_id: str
    event: str
    status: str
    at: datetime
    attempt: int = 1
    http_status: int | None = None
    error: str | None = None
    duration_ms: int = 0


async def record(endpoint_id: str, delivery: Delivery) -> None:
    """Keep this attempt and drop the oldest beyond HISTORY."""
    await entities.insert(
        DELIVERIES_TABLE,
        {
            "PartitionKey": endpoint_id,
            "RowKey": ids.newest_first(delivery.at),
            "event_id": delivery.event_id,
            "event": delivery.event,
            "status": delivery.status,
            "attempt": delivery.attempt,
            "http_status": delivery.http_status,
            "error": delivery.error,
            "duration_ms": delivery.duration_ms,
            "at": delivery.at,
        },
    )
    rows = await entities.partition(DELIVERIES_TABLE, endpoint_id)
    await _delete(endpoint_id, rows[HISTORY:])


async def recent(endpoint_id: str, *, limit: int = HISTORY) -> list[Delivery]:
    """The newest attempts first."""
    rows = await entities.partition(DELIVERIES_TABLE, endpoint_id, limit=limit)
    return [_from_entity(row) for row in rows]


async def forget(endpoint_id: str) -> None:
    await _delete(endpoint_id, await entities.partition(DELIVERIES_TABLE, endpoint_id))


async def _delete(endpoint_id: str, rows: list[dict[str, Any]]) -> None:
    await asyncio.gather(
        *(entities.delete(DELIVERIES_TABLE, endpoint_id, row["RowKey"]) for row in rows)
    )


def _from_entity(row: dict[str, Any]) -> Delivery:
    return Delivery(
        event_id=row["event_id"],
        event=row["event"],
        status=row["status"],
        at=row["at"],
        attempt=int(row.get("attempt") or 1),
        http_status=row.get("http_status"),
        error=row.get("error"),
        duration_ms=int(row.get("duration_ms") or 0),
    )
