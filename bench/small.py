"""(i) Small operations: 4 KiB files, 8 clients at once, the API beside a raw-SDK client.

The raw-SDK client does the fewest storage requests the same operation needs (an upload: the
blob, then its record; a download: the record, then the blob) over the same emulator, in the same
run. Host CPU is the devhost process's user + system time over the operations it served. Request
and phase counts come from the host's own SDK pipeline (shared/storage/metering.py) through the
devhost's `/admin/meter`, one operation at a time.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from azure.data.tables.aio import TableServiceClient
from azure.storage.blob.aio import BlobServiceClient

from bench import api, payload
from bench.outcome import Outcome
from bench.report import Check, Figure, at_most, info
from bench.stack import Stack
from shared.storage.metering import MARK, Request, marked, phases

SIZE = 4096
CLIENTS = 8
_SDK_CONTAINER = "bench-small"
_SDK_TABLE = "benchsmall"
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    """One side's figures: operations per second, p50 latency (ms), host CPU ms per operation."""

    per_second: float
    p50_ms: float
    cpu_ms: float | None = None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat utime and stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


async def _drive(operations: list[Callable[[], Awaitable[None]]], pid: int | None) -> Run:
    """Run the operations over CLIENTS concurrent workers; timing every one."""
    queue = list(reversed(operations))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            work = queue.pop()
            start = time.perf_counter()
            await work()
            latencies.append(time.perf_counter() - start)

    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    elapsed = time.perf_counter() - start
    cpu = None if pid is None else (cpu_seconds(pid) - cpu_before) * 1000 / len(operations)
    return Run(len(operations) / elapsed, statistics.median(latencies) * 1000, cpu)


async def _api_runs(stack: Stack, count: int) -> tuple[Run, Run, bool]:
    body = payload.small(SIZE)
    uploaded: list[api.Uploaded] = []
    intact = True
    async with api.client(stack.base_url) as http:

        async def up(index: int) -> None:
            uploaded.append(await api.upload(http, f"s{index}.bin", body, SIZE))

        async def down(item: api.Uploaded) -> None:
            nonlocal intact
            intact &= (await api.download(http, item.file_url)).intact(SIZE)

        ups = await _drive([partial(up, i) for i in range(count)], stack.devhost_pid)
        downs = await _drive([partial(down, u) for u in list(uploaded)], stack.devhost_pid)
        gate = asyncio.Semaphore(CLIENTS)

        async def delete(item: api.Uploaded) -> None:
            async with gate:
                await api.delete(http, item)

        await asyncio.gather(*(delete(item) for item in uploaded))
    return ups, downs, intact


async def _sdk_runs(connection_string: str, count: int) -> tuple[Run, Run]:
    body = payload.small(SIZE)
    async with (
        BlobServiceClient.from_connection_string(connection_string) as blobs,
        TableServiceClient.from_connection_string(connection_string) as tables,
    ):
        container = blobs.get_container_client(_SDK_CONTAINER)
        await container.create_container()
        table = await tables.create_table_if_not_exists(_SDK_TABLE)
        names = [secrets.token_urlsafe(12) for _ in range(count)]

        async def up(name: str) -> None:
            stored = await container.get_blob_client(name).upload_blob(body, overwrite=True)
            await table.create_entity(
                {"PartitionKey": name, "RowKey": "file", "etag": stored["etag"], "size": SIZE}
            )

        async def down(name: str) -> None:
            await table.get_entity(name, "file")
            await (await container.get_blob_client(name).download_blob()).readall()

        ups = await _drive([partial(up, n) for n in names], None)
        downs = await _drive([partial(down, n) for n in names], None)
        await container.delete_container()
        await tables.delete_table(_SDK_TABLE)
    return ups, downs


async def _metered(http: httpx.AsyncClient, work: Callable[[], Awaitable[None]]) -> str:
    """Requests and phases of one operation, before the first byte too when it sends a file."""
    await http.post("/admin/meter")
    await work()
    await asyncio.sleep(0.2)  # let the settling after the last byte finish
    answer = await http.delete("/admin/meter")
    log = [Request(*row) for row in answer.json()]
    first_byte = marked(log)  # the host's mark: the first byte handed to its server
    before = "" if first_byte is None else f", {phases(log, before=first_byte)} before the 1st byte"
    requests = sorted(r.what for r in log if not r.what.startswith(MARK))
    return f"{len(requests)} requests, {phases(log)} phases{before} ({' '.join(requests)})"


async def _get(http: httpx.AsyncClient, file_url: str) -> None:
    await http.get(f"/file/{file_url}")


async def _counts(stack: Stack) -> list[Figure]:
    body = payload.small(SIZE)
    async with api.client(stack.base_url) as http:
        unlimited = await api.upload(http, "u.bin", body, SIZE)
        await api.download(http, unlimited.file_url)  # warm

        async def upload() -> None:
            await api.upload(http, "c.bin", body, SIZE)

        response = await http.put(
            "/api/upload/private/o.bin", params={"max_downloads": "1"}, content=body
        )
        once = str(response.json()["file_url"])
        return [
            info("(i) anonymous upload: storage requests", await _metered(http, upload)),
            info(
                "(i) unlimited download: storage requests",
                await _metered(http, lambda: _get(http, unlimited.file_url)),
            ),
            info(
                "(i) one-time download: storage requests",
                await _metered(http, lambda: _get(http, once)),
            ),
        ]


async def measure_small(stack: Stack, *, count: int) -> Outcome:
    figures = await _counts(stack)
    await _api_runs(stack, CLIENTS * 4)  # warm-up: connections, tables, the emulator
    api_up, api_down, intact = await _api_runs(stack, count)
    sdk_up, sdk_down = await _sdk_runs(stack.connection_string, count)
    note = f"{count} x {SIZE // 1024} KiB, {CLIENTS} clients; SDK: blob + record, record + blob"
    for name, ours, sdk, cpu_target in (
        ("upload", api_up, sdk_up, 5.0),
        ("download", api_down, sdk_down, 3.0),
    ):
        figures += [
            info(
                f"(i) 4 KiB {name}s/s, API / SDK",
                f"{ours.per_second:.0f} / {sdk.per_second:.0f}",
                note,
            ),
            at_most(
                f"(i) 4 KiB {name} p50, API/SDK",
                ours.p50_ms / sdk.p50_ms,
                1.3,
                note=f"{ours.p50_ms:.1f} / {sdk.p50_ms:.1f} ms",
            ),
            at_most(f"(i) host CPU per 4 KiB {name}", ours.cpu_ms or 0.0, cpu_target, unit=" ms"),
        ]
    return Outcome(
        figures=figures,
        checks=[Check(f"all {count} small downloads came back byte for byte", intact)],
    )
