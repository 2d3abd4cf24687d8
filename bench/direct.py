"""(e) Direct transfers: the CLI's upload and download against the raw SDK, and the host's memory.

The client's transfer code (cli/transfer.py, what `fileshare upload`/`download` run) moves a file
through the valet-key path: the API authorises, the bytes go between client and Azurite. The
baseline is azure-storage-blob writing and reading the same file with the account key, the same
block size and concurrency. Rounds alternate so drift in the machine's load hits both alike. The
devhost's peak RSS is sampled over the CLI rounds: the bytes never pass through it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from azure.storage.blob import BlobServiceClient

from bench import procstat
from bench.outcome import Outcome
from bench.payload import MIB
from bench.report import Check, at_least, below
from bench.stack import Stack
from cli import transfer
from cli.api import Api
from cli.config import Config
from cli.state import State
from shared.files.direct_uploads import block_size_for
from tests.utils.payload import file_sha256, write_random_file

_CONTAINER = "bench-direct"


def _cli_round(stack: Stack, source: Path, target: Path, workdir: Path) -> tuple[float, float]:
    os.environ["FILESHARE_CONFIG_DIR"] = str(workdir / "cli-config")
    api = Api(Config(stack.base_url, None))
    try:
        start = time.perf_counter()
        result = transfer.upload(api, source, options={}, state=State())
        up = time.perf_counter() - start
        start = time.perf_counter()
        transfer.download(
            api, result.published["file_url"], output=target, force=True, state=State()
        )
        down = time.perf_counter() - start
        api.delete(result.published["file_url"], result.published["key"])
    finally:
        api.close()
    return up, down


def _sdk_round(service: BlobServiceClient, source: Path, target: Path) -> tuple[float, float]:
    blob = service.get_blob_client(_CONTAINER, "bench.bin")
    start = time.perf_counter()
    with source.open("rb") as data:
        blob.upload_blob(data, overwrite=True, max_concurrency=transfer.DEFAULT_CONCURRENCY)
    up = time.perf_counter() - start
    start = time.perf_counter()
    with target.open("wb") as out:
        blob.download_blob(max_concurrency=transfer.DEFAULT_CONCURRENCY).readinto(out)
    down = time.perf_counter() - start
    blob.delete_blob()
    return up, down


def _measure(stack: Stack, size: int, runs: int) -> Outcome:
    block = block_size_for(size)
    service = BlobServiceClient.from_connection_string(
        stack.connection_string,
        max_block_size=block,
        max_single_put_size=block,
        max_chunk_get_size=block,
        max_single_get_size=block,
    )
    if not service.get_container_client(_CONTAINER).exists():
        service.create_container(_CONTAINER)
    with tempfile.TemporaryDirectory(prefix="bench-direct-") as tmp:
        workdir = Path(tmp)
        source, target = workdir / "source.bin", workdir / "copy.bin"
        digest = write_random_file(source, size)
        cli_up: list[float] = []
        cli_down: list[float] = []
        sdk_up: list[float] = []
        sdk_down: list[float] = []
        intact = True
        idle = procstat.status_bytes(stack.devhost_pid, "VmRSS")
        reset = procstat.reset_peak(stack.devhost_pid)
        for _ in range(runs):
            up, down = _sdk_round(service, source, target)
            sdk_up.append(up)
            sdk_down.append(down)
            intact &= file_sha256(target) == digest
            up, down = _cli_round(stack, source, target, workdir)
            cli_up.append(up)
            cli_down.append(down)
            intact &= file_sha256(target) == digest
        peak = procstat.status_bytes(stack.devhost_pid, "VmHWM")
    label = f"{size // MIB} MiB"
    rates = f"{size / MIB / min(sdk_up):.0f}/{size / MIB / min(sdk_down):.0f}"
    note = f"best of {runs}; raw SDK {rates} MiB/s up/down"
    growth = max(0, peak - idle) / MIB
    since = "peak since reset" if reset else "peak since start (could not reset VmHWM)"
    return Outcome(
        figures=[
            at_least(
                f"(e) direct upload via CLI / raw SDK, {label}",
                min(sdk_up) / min(cli_up),
                0.9,
                note=note,
            ),
            at_least(
                f"(e) direct download via CLI / raw SDK, {label}",
                min(sdk_down) / min(cli_down),
                0.9,
                note=note,
            ),
            below(
                "(e) devhost RSS growth during direct transfers",
                growth,
                32,
                unit=" MiB",
                note=f"{since}; idle {idle / MIB:.0f} MiB",
            ),
        ],
        checks=[Check(f"every direct {label} round trip came back byte for byte", intact)],
    )


async def measure_direct(stack: Stack, *, size: int, runs: int) -> Outcome:
    return await asyncio.to_thread(_measure, stack, size, runs)
