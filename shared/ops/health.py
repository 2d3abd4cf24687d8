"""Whether this instance can reach its storage: one cheap read against Blob and Table Storage."""

from __future__ import annotations

import asyncio

from shared.storage import blobs, entities
from shared.storage.names import FILES_TABLE

_PROBE = "health-probe"  # never written: a miss proves the service answered


async def check_storage() -> None:
    """Return when both services answer; StorageUnavailable (503) when either does not."""
    await asyncio.gather(
        blobs.exists(_PROBE),
        entities.get(FILES_TABLE, _PROBE, _PROBE),
    )
