"""Whether this instance can reach its storage: one cheap read against Blob and Table Storage."""

from __future__ import annotations

import asyncio

from shared.errors import StorageUnavailable
from shared.storage import blobs, entities
from shared.storage.names import FILES_TABLE

_PROBE = "health-probe"  # never written: a miss proves the service answered
# A health probe answers well within a load balancer's patience, whatever the storage deadline.
HEALTH_DEADLINE_SECONDS = 2.5


async def check_storage() -> None:
    """Return when both services answer; StorageUnavailable (503) when either does not."""
    try:
        async with asyncio.timeout(HEALTH_DEADLINE_SECONDS):
            await asyncio.gather(
                blobs.exists(_PROBE),
                entities.get(FILES_TABLE, _PROBE, _PROBE),
            )
    except TimeoutError as exc:
        raise StorageUnavailable() from exc
