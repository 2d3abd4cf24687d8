"""Tries of an ETag-conditional update, with a jittered back-off after each lost race.

Every read-modify-write loop on a table row (download counters, file counts, rate windows) goes
through `Attempts`, so concurrent writers of one row spread out instead of colliding again:

    async for _ in retry.Attempts(what="..."):
        current = await read()
        if await write_if_unchanged(current):
            return
    raise ...  # every attempt lost its race (already logged)
"""

from __future__ import annotations

import asyncio
import logging
import random

logger = logging.getLogger(__name__)

# Full jitter on a capped exponential: the first retries come quickly, and a crowd on one row
# (a popular file's counter) spreads over a few seconds instead of colliding in lockstep.
_FIRST_SECONDS = 0.004
_CAP_SECONDS = 0.2
ATTEMPTS = 50


class Attempts:
    """Attempt numbers 0..count-1; before each retry a random pause whose bound doubles (capped).

    Leave the loop on success; running out of attempts logs that `what` lost that many races.
    """

    def __init__(self, count: int = ATTEMPTS, *, what: str) -> None:
        self._count = count
        self._what = what
        self._next = 0

    def __aiter__(self) -> Attempts:
        return self

    async def __anext__(self) -> int:
        attempt = self._next
        if attempt >= self._count:
            logger.warning("%s lost %d races", self._what, self._count)
            raise StopAsyncIteration
        if attempt:
            bound = min(_CAP_SECONDS, _FIRST_SECONDS * 2 ** (attempt - 1))
            await asyncio.sleep(random.uniform(0, bound))  # noqa: S311 - jitter, not a secret
        self._next += 1
        return attempt
