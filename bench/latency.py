"""(c) Latency of small uploads and downloads: sequential requests over one keep-alive client."""

from __future__ import annotations

import asyncio
import logging
import statistics

from bench import api, payload
from bench.outcome import Outcome, timed
from bench.report import Check, info
from bench.stack import Stack

logger = logging.getLogger(__name__)

SMALL = 1024
_WARM_UP = 10
_DELETE_CONCURRENCY = 8


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


async def measure_latency(stack: Stack, *, count: int) -> Outcome:
    body = payload.small(SMALL)
    uploads: list[float] = []
    downloads: list[float] = []
    intact = True
    async with api.client(stack.base_url) as http:
        done: list[api.Uploaded] = []
        for index in range(_WARM_UP + count):
            uploaded, seconds = await timed(api.upload(http, f"small-{index}.bin", body, SMALL))
            done.append(uploaded)
            if index >= _WARM_UP:
                uploads.append(seconds)
        for index, uploaded in enumerate(done):
            verifier, seconds = await timed(api.download(http, uploaded.file_url))
            intact &= verifier.intact(SMALL)
            if index >= _WARM_UP:
                downloads.append(seconds)
        gate = asyncio.Semaphore(_DELETE_CONCURRENCY)

        async def delete(uploaded: api.Uploaded) -> None:
            async with gate:
                await api.delete(http, uploaded)

        await asyncio.gather(*(delete(uploaded) for uploaded in done))
    up50, up99 = percentiles(uploads)
    down50, down99 = percentiles(downloads)
    note = f"{count} sequential requests, keep-alive"
    return Outcome(
        figures=[
            info("(c) 1 KiB upload p50 / p99", f"{up50:.1f} / {up99:.1f} ms", note),
            info("(c) 1 KiB download p50 / p99", f"{down50:.1f} / {down99:.1f} ms", note),
        ],
        checks=[Check(f"all {count + _WARM_UP} small downloads came back byte for byte", intact)],
    )
