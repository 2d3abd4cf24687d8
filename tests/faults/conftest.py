"""A stack of its own for fault tests: Azurite persisting to disk, and the local host as a process;
and for crash tests (test_crash_*.py) a lab per module: in-memory Azurite and forked hosts.

Stopping the session's Azurite would break every other test, and an in-memory Azurite forgets all
data when it stops; this one keeps its data in a temporary folder, so a restart shows exactly
what was committed before the fault. The host runs as a separate process (`python -m devhost`)
and is never restarted: recovering is its job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from devhost import azurite
from tests.utils.crashlab import CrashLab, ForkServer
from tests.utils.server import ROOT, wait_until_serving
from tests.utils.settings import MIB, TEST_SETTINGS
from tests.utils.storage import StorageProbe

FAULT_SETTINGS = {
    **TEST_SETTINGS,
    # Files within it stream through the host, which is where these faults hit.
    "MAX_UPLOAD_BYTES": str(64 * MIB),
    # A stalled store answers 503 after this long (the default is 10 s).
    "STORAGE_TIMEOUT_SECONDS": "3",
}


@dataclass
class FaultStack:
    ports: azurite.AzuritePorts
    location: Path
    base_url: str
    azurite_process: subprocess.Popen[bytes] | None = None
    host_process: subprocess.Popen[bytes] | None = None
    storage: StorageProbe = field(init=False)
    frozen: bool = False

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

    def freeze_storage(self) -> None:
        """Azurite keeps accepting connections but never answers (SIGSTOP): a stalled store."""
        assert self.azurite_process is not None
        self.azurite_process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw_storage(self) -> None:
        if self.frozen and self.azurite_process is not None:
            self.azurite_process.send_signal(signal.SIGCONT)
        self.frozen = False

    def env(self) -> dict[str, str]:
        """The settings the stack's host runs with, for a cleanup run of one's own."""
        return {**FAULT_SETTINGS, "STORAGE_CONNECTION_STRING": self.ports.connection_string()}


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
        wait_until_serving(stack.base_url, exited=stack.host_process.poll)
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
        fault_stack.thaw_storage()
        fault_stack.start_storage()


@pytest.fixture
def fault_client(stack: FaultStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def lab(forkserver: ForkServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashLab]:
    """One Azurite per module; hosts are forked (milliseconds), so each crash gets a fresh one.

    Only the host crashes, never storage, so Azurite keeps its data in memory.
    """
    ports = azurite.AzuritePorts(azurite.free_port(), azurite.free_port(), azurite.free_port())
    process = azurite.start(ports)
    env = {**TEST_SETTINGS, "STORAGE_CONNECTION_STRING": ports.connection_string()}
    crash_lab = CrashLab(
        forkserver, env, tmp_path_factory.mktemp("crash"), StorageProbe(ports.connection_string())
    )
    try:
        yield crash_lab
    finally:
        crash_lab.close()
        azurite.stop(process)


@pytest.fixture
def lab_client(lab: CrashLab) -> Iterator[httpx.Client]:
    """A client of the lab's host that never crashes."""
    with lab.clean.client() as http:
        yield http
