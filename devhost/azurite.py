"""Start and stop the Azurite storage emulator installed in node_modules (one PID to stop)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AZURITE_JS = ROOT / "node_modules" / "azurite" / "dist" / "src" / "azurite.js"
# Azurite's well-known development account; it is public and only ever valid against Azurite.
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@dataclass(frozen=True)
class AzuritePorts:
    blob: int = 10000
    queue: int = 10001
    table: int = 10002

    @classmethod
    def from_env(cls) -> AzuritePorts:
        return cls(
            blob=int(os.environ.get("AZURITE_BLOB_PORT", "10000")),
            queue=int(os.environ.get("AZURITE_QUEUE_PORT", "10001")),
            table=int(os.environ.get("AZURITE_TABLE_PORT", "10002")),
        )

    def connection_string(self) -> str:
        base = f"http://127.0.0.1:{{port}}/{ACCOUNT}"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={base.format(port=self.blob)};"
            f"QueueEndpoint={base.format(port=self.queue)};"
            f"TableEndpoint={base.format(port=self.table)};"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    ports: AzuritePorts, *, location: Path | None = None, wait: bool = True
) -> subprocess.Popen[bytes]:
    """Start Azurite; in memory unless `location` is given. Returns once every port answers,
    or at once with `wait=False` (then call `wait_until_ready`)."""
    node = shutil.which("node")
    if node is None or not AZURITE_JS.exists():
        raise RuntimeError("Azurite is not installed: run `make install` (needs Node.js)")
    args = [
        node,
        str(AZURITE_JS),
        "--blobHost", "127.0.0.1", "--blobPort", str(ports.blob),
        "--queueHost", "127.0.0.1", "--queuePort", str(ports.queue),
        "--tableHost", "127.0.0.1", "--tablePort", str(ports.table),
        "--skipApiVersionCheck",
        "--silent",
    ]  # fmt: skip
    if location is None:
        args.append("--inMemoryPersistence")
    else:
        location.mkdir(parents=True, exist_ok=True)
        args += ["--location", str(location)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if wait:
        wait_until_ready(ports, process)
    return process


@contextmanager
def running_in_memory() -> Iterator[AzuritePorts]:
    """An in-memory Azurite on free ports for the length of the block (tests)."""
    ports = AzuritePorts(free_port(), free_port(), free_port())
    process = start(ports)
    try:
        yield ports
    finally:
        stop(process)


def wait_until_ready(
    ports: AzuritePorts, process: subprocess.Popen[bytes], timeout: float = 30
) -> None:
    """Return once every port answers; stop Azurite and raise if it exits or never does."""
    try:
        _wait_for(ports, process, timeout)
    except BaseException:
        stop(process)
        raise


def _wait_for(ports: AzuritePorts, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for port in (ports.blob, ports.queue, ports.table):
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"Azurite exited with {process.returncode}: {error.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Azurite did not open port {port}") from None
                time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def allow_browser_origins(ports: AzuritePorts, origins: list[str]) -> None:
    """CORS on the Blob service as infra/ sets it in Azure, so the page can PUT blocks to it."""
    # Imported here: `make run` starts Azurite before it pays for importing the SDK.
    from azure.storage.blob import BlobServiceClient, CorsRule

    rule = CorsRule(
        allowed_origins=origins,
        allowed_methods=["PUT", "GET", "HEAD", "OPTIONS"],
        allowed_headers=["x-ms-*", "content-type", "content-length", "range"],
        exposed_headers=["x-ms-*", "etag", "content-length", "content-range"],
        max_age_in_seconds=3600,
    )
    client = BlobServiceClient.from_connection_string(ports.connection_string())
    with client:
        client.set_service_properties(cors=[rule])
