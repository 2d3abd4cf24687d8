"""After the load: nothing lost, nothing altered, every one-time link served exactly once."""

from __future__ import annotations

import asyncio
import hashlib

import httpx

from load.workload import Stored

_CONCURRENCY = 16


async def verify(http: httpx.AsyncClient, files: list[Stored]) -> list[str]:
    """The failures: each file without a limit must come back byte for byte; each one-time link
    must have been served once in all (a link no race reached is downloaded once now), and
    answer 404 afterwards."""
    gate = asyncio.Semaphore(_CONCURRENCY)
    failures: list[str] = []

    async def check(stored: Stored) -> None:
        async with gate:
            if not stored.one_time or stored.served == 0:
                response = await http.get(f"/file/{stored.file_url}")
                if response.status_code != 200:
                    failures.append(f"{stored.file_url}: {response.status_code}, expected 200")
                    return
                if hashlib.sha256(response.content).hexdigest() != stored.sha256:
                    failures.append(f"{stored.file_url}: other bytes than uploaded")
                    return
                if stored.one_time:
                    stored.served += 1
            if not stored.one_time:
                return
            if stored.served != 1:
                failures.append(f"{stored.file_url}: one-time link served {stored.served} times")
            final = await http.get(f"/file/{stored.file_url}")
            if final.status_code != 404:
                failures.append(f"{stored.file_url}: {final.status_code} after its one download")

    await asyncio.gather(*(check(stored) for stored in files))
    return failures
