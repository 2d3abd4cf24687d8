"""(a) API throughput against the raw async SDK, and (b) the local host's peak memory."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from typing import IO, cast

import httpx
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from bench import api, payload, procstat
from bench.outcome import Outcome, timed
from bench.payload import MIB, Verifier
from bench.report import Check, at_least, below
from bench.stack import Stack
from shared.storage.clients import BLOCK_SIZE

logger = logging.getLogger(__name__)

SDK_CONCURRENCY = 4
_SDK_CONTAINER = "bench-sdk"
_WARM_UP = 16 * MIB


@dataclass
class Rates:
    """MiB/s of every run of one transfer."""

    runs: list[float]

    @property
    def best(self) -> float:
        return max(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def sdk_service(connection_string: str) -> BlobServiceClient:
    """The SDK baseline, with the app's block and chunk sizes."""
    return BlobServiceClient.from_connection_string(
        connection_string,
        max_single_put_size=BLOCK_SIZE,
        max_block_size=BLOCK_SIZE,
        max_single_get_size=BLOCK_SIZE,
        max_chunk_get_size=BLOCK_SIZE,
    )


async def _api_round(http: httpx.AsyncClient, size: int) -> tuple[float, float, bool]:
    uploaded, up = await timed(api.upload(http, "bench.bin", payload.stream(size), size))
    verifier, down = await timed(api.download(http, uploaded.file_url))
    await api.delete(http, uploaded)
    return size / MIB / up, size / MIB / down, verifier.intact(size)


async def _sdk_round(container: ContainerClient, name: str, size: int) -> tuple[float, float, bool]:
    blob = container.get_blob_client(name)
    _, up = await timed(
        blob.upload_blob(
            payload.stream(size), length=size, overwrite=True, max_concurrency=SDK_CONCURRENCY
        )
    )
    verifier = Verifier()

    async def fetch() -> None:
        downloader = await blob.download_blob(max_concurrency=SDK_CONCURRENCY)
        # The SDK only needs write/seek/tell; its signature asks for a whole IO[bytes].
        await downloader.readinto(cast(IO[bytes], verifier))

    _, down = await timed(fetch())
    await blob.delete_blob()
    return size / MIB / up, size / MIB / down, verifier.intact(size)


async def measure_throughput(stack: Stack, *, size: int, runs: int) -> Outcome:
    """Alternate API and SDK rounds so drift in the machine's load hits both alike."""
    api_up, api_down, sdk_up, sdk_down = Rates([]), Rates([]), Rates([]), Rates([])
    intact = True
    async with (
        api.client(stack.base_url) as http,
        sdk_service(stack.connection_string) as service,
    ):
        container = service.get_container_client(_SDK_CONTAINER)
        await container.create_container()
        # Not counted: connections, first-use set-up, and the emulator's first allocations.
        await _api_round(http, _WARM_UP)
        await _sdk_round(container, "warm-up", _WARM_UP)
        for run in range(runs):
            up, down, ok = await _api_round(http, size)
            api_up.runs.append(up)
            api_down.runs.append(down)
            intact &= ok
            up, down, ok = await _sdk_round(container, f"run-{run}", size)
            sdk_up.runs.append(up)
            sdk_down.runs.append(down)
            intact &= ok
            logger.info(
                "throughput run %d: API up %.0f down %.0f, SDK up %.0f down %.0f MiB/s",
                run + 1,
                api_up.runs[-1],
                api_down.runs[-1],
                sdk_up.runs[-1],
                sdk_down.runs[-1],
            )
        await container.delete_container()

    def note(through_api: Rates, through_sdk: Rates) -> str:
        return (
            f"best of {runs}: API {through_api.best:.0f} / SDK {through_sdk.best:.0f} MiB/s"
            f" (medians {through_api.median:.0f} / {through_sdk.median:.0f})"
        )

    label = f"{size // MIB} MiB"
    return Outcome(
        figures=[
            at_least(
                f"(a) upload {label}, API/SDK",
                api_up.best / sdk_up.best,
                0.8,
                note=note(api_up, sdk_up),
            ),
            at_least(
                f"(a) download {label}, API/SDK",
                api_down.best / sdk_down.best,
                0.8,
                note=note(api_down, sdk_down),
            ),
        ],
        checks=[Check(f"every {label} round trip came back byte for byte", intact)],
    )


async def measure_peak_memory(stack: Stack, *, size: int) -> Outcome:
    """The devhost's VmHWM while one `size` file goes up and comes back down."""
    pid = stack.devhost_pid
    idle = procstat.status_bytes(pid, "VmRSS")
    reset = procstat.reset_peak(pid)
    async with api.client(stack.base_url) as http:
        uploaded, up = await timed(api.upload(http, "big.bin", payload.stream(size), size))
        verifier, down = await timed(api.download(http, uploaded.file_url))
        peak = procstat.status_bytes(pid, "VmHWM")
        await api.delete(http, uploaded)
    since = "peak since reset" if reset else "peak since start (could not reset VmHWM)"
    label = f"{size // MIB} MiB" if size < 1024 * MIB else f"{size / (1024 * MIB):g} GiB"
    note = (
        f"{since}; idle {idle / MIB:.0f} MiB; up {size / MIB / up:.0f},"
        f" down {size / MIB / down:.0f} MiB/s"
    )
    return Outcome(
        figures=[
            below(f"(b) devhost peak RSS, {label} up+down", peak / MIB, 200, unit=" MiB", note=note)
        ],
        checks=[Check(f"the {label} round trip came back byte for byte", verifier.intact(size))],
    )
