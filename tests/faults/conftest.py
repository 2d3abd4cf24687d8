"""A stack of its own for fault tests: Azurite persisting to disk, and the local host as a process.

Stopping the session's Azurite would break every other test, and an in-memory Azurite forgets all
data when it stops; this one keeps its data in a temporary folder, so a restart shows exactly
what was committed before the fault. The host runs as a separate process (`python -m devhost`)
and is never restarted: recovering is its job.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from devhost import azurite
from tests.utils.server import ROOT
from tests.utils.settings import MIB, TEST_SETTINGS
from tests.utils.storage import StorageProbe

FAULT_SETTINGS = {
    **TEST_SETTINGS,
    "MAX_UPLOAD_BYTES": str(64 * MIB),
    # These faults hit bytes streamed through the host, not a redirect to storage.
    "DIRECT_DOWNLOAD_MIN_BYTES": str(1 << 50),
}


@dataclass
class FaultStack:
    ports: azurite.AzuritePorts
    location: Path
    base_url: str
    azurite_process: subprocess.Popen[bytes] | None = None
    host_process: subprocess.Popen[bytes] | None = None
    storage: StorageProbe = field(init=False)

    def __post_init__(self) -> None:
        self.storage = StorageProbe(self.ports.connection_string())

    def stop_storage(self) -> None:
        """Stop Azurite by its PID (SIGTERM, then SIGKILL if it lingers)."""
        if self.azurite_process is not None:
            azurite.stop(self.azurite_process)
            self.azurite_process = None

    def start_storage(self) -> None:
        if self.azurite_process is None:
            self.azurite_process = azurite.start(self.ports, location=self.location)


def _wait_until_serving(url: str, host: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.poll() is not None:
            raise RuntimeError(f"the local host exited with {host.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the local host did not start")


@pytest.fixture(scope="session")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    ports = azurite.AzuritePorts(azurite.free_port(), azurite.free_port(), azurite.free_port())
    port = azurite.free_port()
    stack = FaultStack(ports, tmp_path_factory.mktemp("azurite"), f"http://127.0.0.1:{port}")
    stack.start_storage()
    env = {
        **os.environ,
        **FAULT_SETTINGS,
        "PORT": str(port),
        "STORAGE_CONNECTION_STRING": ports.connection_string(),
        # Its queue triggers poll its own Azurite, never the session's queues.
        "AzureWebJobsStorage": ports.connection_string(),
        "APPLICATIONINSIGHTS_CONNECTION_STRING": "",
    }
    log = (tmp_path_factory.getbasetemp() / "fault-host.log").open("wb")
    stack.host_process = subprocess.Popen(
        [sys.executable, "-m", "devhost"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        _wait_until_serving(stack.base_url, stack.host_process)
        yield stack
    finally:
        stack.host_process.terminate()
        try:
            stack.host_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stack.host_process.kill()
            stack.host_process.wait()
        log.close()
        stack.stop_storage()


@pytest.fixture
def stack(fault_stack: FaultStack) -> Iterator[FaultStack]:
    """The fault stack with storage running at the start and at the end of every test."""
    fault_stack.start_storage()
    try:
        yield fault_stack
    finally:
        fault_stack.start_storage()


@pytest.fixture
def fault_client(stack: FaultStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield http
