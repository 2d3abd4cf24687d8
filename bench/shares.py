"""(g) A share's ZIP: 20 files streamed as one archive against the same bytes as one file.

The files go into the share by direct upload (their CRC-32 computed as they are sent, as the
`fileshare` client does); the same total is uploaded as one file. Then, alternately, the file and
the ZIP are downloaded through the API, and the devhost's memory is watched while the ZIP streams.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator

import httpx
from azure.storage.blob.aio import BlobClient

from bench import api, payload, procstat
from bench.outcome import Outcome, timed
from bench.payload import MIB
from bench.report import Check, at_least, below
from bench.stack import Stack

logger = logging.getLogger(__name__)

FILES = 20


async def _share_of(http: httpx.AsyncClient, total: int) -> tuple[str, str]:
    """A share of FILES files totalling `total` bytes: its id and key."""
    created = (await http.post("/api/shares", json={"title": "bench"})).json()
    share_id, key = str(created["share_id"]), str(created["key"])
    sizes = [total // FILES + (1 if n < total % FILES else 0) for n in range(FILES)]
    for number, size in enumerate(sizes):
        declared = {"filename": f"part-{number:02d}.bin", "size": size}
        grant = await http.post("/api/uploads", json={**declared, "share_id": share_id, "key": key})
        if grant.status_code != 200:
            raise api.ApiError(f"direct upload answered {grant.status_code}: {grant.text[:200]}")
        crc = 0

        async def checksummed(size: int = size) -> AsyncIterator[bytes]:
            nonlocal crc
            async for chunk in payload.stream(size):
                crc = zlib.crc32(chunk, crc)
                yield chunk

        async with BlobClient.from_blob_url(grant.json()["upload_url"]) as blob:
            await blob.upload_blob(checksummed(), length=size, overwrite=True, max_concurrency=4)
        done = await http.post(
            f"/api/uploads/{grant.json()['file_url']}/complete",
            params={"key": grant.json()["key"], "crc32": str(crc)},
        )
        if done.status_code != 200:
            raise api.ApiError(f"completion answered {done.status_code}: {done.text[:200]}")
    return share_id, key


async def _zip(http: httpx.AsyncClient, share_id: str) -> tuple[int, int, bool]:
    """Stream the ZIP; its declared length, the bytes received, and whether it ends a ZIP."""
    received, tail = 0, b""
    async with http.stream("GET", f"/s/{share_id}/zip") as response:
        if response.status_code != 200:
            await response.aread()
            raise api.ApiError(f"zip answered {response.status_code}: {response.text[:200]}")
        declared = int(response.headers["content-length"])
        async for chunk in response.aiter_raw():
            received += len(chunk)
            tail = (tail + chunk)[-22:]
    return declared, received, tail[:4] == b"PK\x05\x06"


async def measure_share_zip(stack: Stack, *, size: int, runs: int) -> Outcome:
    """ZIP throughput over one file's, best of `runs` each, and memory growth while zipping."""
    async with api.client(stack.base_url) as http:
        share_id, key = await _share_of(http, size)
        single = await api.upload(http, "single.bin", payload.stream(size), size)
        file_rates, zip_rates, intact, whole = [], [], True, True
        growth = 0
        for run in range(runs):
            verifier, seconds = await timed(api.download(http, single.file_url))
            intact &= verifier.intact(size)
            file_rates.append(size / MIB / seconds)
            before = procstat.status_bytes(stack.devhost_pid, "VmRSS")
            procstat.reset_peak(stack.devhost_pid)
            (declared, received, ends), seconds = await timed(_zip(http, share_id))
            growth = max(growth, procstat.status_bytes(stack.devhost_pid, "VmHWM") - before)
            whole &= declared == received and ends
            zip_rates.append(received / MIB / seconds)
            logger.info(
                "share zip run %d: file %.0f, zip %.0f MiB/s, memory growth %.1f MiB",
                run + 1,
                file_rates[-1],
                zip_rates[-1],
                growth / MIB,
            )
        await api.delete(http, single)
        await http.delete(f"/api/shares/{share_id}", params={"key": key})
    label = f"{FILES} files, {size // MIB} MiB"
    note = f"best of {runs}: ZIP {max(zip_rates):.0f} / one file {max(file_rates):.0f} MiB/s"
    return Outcome(
        figures=[
            at_least(
                f"(g) share ZIP {label}, ZIP/file", max(zip_rates) / max(file_rates), 0.8, note=note
            ),
            below(
                f"(g) devhost memory growth, ZIP of {label}",
                growth / MIB,
                50,
                unit=" MiB",
                note="peak RSS while the ZIP streamed, above the RSS just before it",
            ),
        ],
        checks=[
            Check(f"the {label} file came back byte for byte", intact),
            Check(f"every ZIP of {label} was as long as its Content-Length, ending a ZIP", whole),
        ],
    )
