"""Backing off after losing an ETag race, so concurrent writers of one row stop colliding."""

from __future__ import annotations

import asyncio
import random

_STEP_SECONDS = 0.004


async def pause(attempt: int) -> None:
    """Before retry number `attempt` (0: the first try, no wait): a random, growing delay."""
    if attempt:
        await asyncio.sleep(random.uniform(0, _STEP_SECONDS * attempt))  # noqa: S311 - jitter only
