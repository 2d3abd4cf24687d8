"""The system under test: an in-memory Azurite and the devhost as a subprocess, on free ports."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from devhost import azurite

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024**3


@dataclass(frozen=True)
class Stack:
    base_url: str
    connection_string: str
    devhost_pid: int
    devhost_log: Path


def _distinct_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(azurite.free_port())
    return sorted(ports)


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"devhost exited with {process.returncode}:\n{tail}")
        try:
            httpx.get(url, timeout=1)  # any answer, even 404, means it is serving
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"devhost did not answer on {url}") from None
            time.sleep(0.2)


@contextlib.contextmanager
def running(workdir: Path, *, max_upload_bytes: int) -> Iterator[Stack]:
    """Start Azurite and the devhost pointed at it; stop both (and only them) on the way out."""
    blob, queue, table, http = _distinct_ports(4)
    ports = azurite.AzuritePorts(blob=blob, queue=queue, table=table)
    storage = azurite.start(ports)
    try:
        env = {
            **os.environ,
            "PORT": str(http),
            "STORAGE_CONNECTION_STRING": ports.connection_string(),
            # The queue triggers' connection: webhook deliveries run in the host under test too.
            "AzureWebJobsStorage": ports.connection_string(),
            "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": "true",  # the bench's receiver is on loopback
            # Phase (d) runs the cleanup itself and times it: no scheduled run in between.
            "AzureWebJobs.cleanup.Disabled": "true",
            "MAX_UPLOAD_BYTES": str(max_upload_bytes),
            "DEFAULT_TTL_SECONDS": str(7 * 24 * 3600),
            "MAX_TTL_SECONDS": str(10 * 365 * 24 * 3600),
            "PUBLIC_BASE_URL": "",
            # Its own secret, whatever local.settings.json holds: this host lives for one run.
            "JWT_SECRET": secrets.token_urlsafe(48),
            # Hundreds of uploads a minute from one address are the point here, not abuse.
            "UPLOAD_RATE_LIMIT_PER_MINUTE": str(1_000_000),
            "MALWARE_SCANNING": "false",
        }
        log = workdir / "devhost.log"
        with log.open("wb") as sink:
            host = subprocess.Popen(
                [sys.executable, "-m", "devhost"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        try:
            base_url = f"http://127.0.0.1:{http}"
            _wait_until_serving(host, f"{base_url}/", log)
            logger.info("Azurite on %d/%d, devhost pid %d on %s", blob, table, host.pid, base_url)
            yield Stack(base_url, ports.connection_string(), host.pid, log)
        finally:
            azurite.stop(host)
    finally:
        azurite.stop(storage)
