"""Crash injection from the test's side: hosts that die at a named crash point, and cleanup runs
with a clock of the test's choosing (tests/utils/forkserver.py does the forking)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from devhost.azurite import free_port
from shared.ops.crashpoints import CRASH_ENV, STALL_ENV
from tests.utils.server import ROOT, wait_until_serving
from tests.utils.settings import app_env
from tests.utils.storage import StorageProbe

T = TypeVar("T")


@dataclass
class Host:
    """One forked local host: its address, its process id and its log."""

    pid: int
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)

    def wait_until_dead(self, timeout: float = 10) -> None:
        """Until nothing listens on the host's port any more (a dead process's socket closes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                return
            time.sleep(0.05)
        raise AssertionError(f"host {self.pid} is still serving; see {self.log}")

    def wait_for_log(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists() and text in self.log.read_text(errors="replace"):
                return
            time.sleep(0.02)
        raise AssertionError(f"{text!r} never appeared in {self.log}")

    def stop(self) -> None:
        with suppress(ProcessLookupError):
            os.kill(self.pid, 9)


class ForkServer:
    """The test side of tests/utils/forkserver.py: one process for the session, forks on demand."""

    def __init__(self) -> None:
        # Settings are checked when function_app is imported, before any host's own env applies.
        env = app_env(APPLICATIONINSIGHTS_CONNECTION_STRING="")
        env.pop(CRASH_ENV, None)
        env.pop(STALL_ENV, None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.utils.forkserver"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server exited with {self.process.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def host(self, env: dict[str, str], log: Path) -> Host:
        port = free_port()
        pid = self._ask({"op": "host", "port": port, "env": env, "log": str(log)})["pid"]
        host = Host(int(pid), port, log)
        wait_until_serving(host.base_url)
        return host

    def cleanup(self, env: dict[str, str], now: datetime, *, runs: int = 1) -> list[dict[str, Any]]:
        """Run the cleanup timer's work `runs` times at once, as if the clock said `now`."""
        answer = self._ask({"op": "cleanup", "env": env, "now": now.isoformat(), "runs": runs})
        reports: list[dict[str, Any]] = []
        for result in answer["reports"]:
            assert "report" in result, result.get("error")
            reports.append(result["report"])
        return reports

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class CrashLab:
    """Storage of its own, a host that never crashes, and hosts armed to crash or stall."""

    server: ForkServer
    env: dict[str, str]
    logs: Path
    storage: StorageProbe
    hosts: list[Host] = field(default_factory=list)
    _clean: Host | None = None

    @property
    def clean(self) -> Host:
        """The host that serves everything after a crash, as a restarted instance would."""
        if self._clean is None:
            self._clean = self.start()
        return self._clean

    def start(self, **env: str) -> Host:
        host = self.server.host({**self.env, **env}, self.logs / f"host-{len(self.hosts)}.log")
        self.hosts.append(host)
        return host

    @contextmanager
    def armed(self, point: str) -> Iterator[httpx.Client]:
        """A client of a fresh host that dies at `point`; the body must make it get there."""
        host = self.start(**{CRASH_ENV: point})
        with host.client() as client:
            yield client
        host.wait_for_log(f"crash point {point}:")
        host.wait_until_dead()

    def crash(self, point: str, request: Callable[[httpx.Client], object]) -> None:
        """Send `request` to a host armed at `point`: the host dies and no answer comes back."""
        with self.armed(point) as client:
            try:
                answer = request(client)
            except httpx.TransportError:
                return
            raise AssertionError(f"an answer came back instead of a crash at {point}: {answer}")

    def race(
        self,
        point: str,
        stalled: Callable[[httpx.Client], httpx.Response],
        racing: Callable[[], T],
        *,
        seconds: float = 3,
    ) -> tuple[httpx.Response, T]:
        """Send `stalled` to a fresh host that freezes for `seconds` at `point`, and while it is
        frozen there run `racing` (against another host); both outcomes."""
        host = self.start(**{STALL_ENV: f"{point}={seconds}"})
        answers: list[httpx.Response] = []

        def send() -> None:
            with host.client() as client:
                answers.append(stalled(client))

        sender = threading.Thread(target=send)
        sender.start()
        try:
            host.wait_for_log(f"crash point {point}: stalling")
            raced = racing()
        finally:
            sender.join()
            host.stop()
        (answer,) = answers
        return answer, raced

    def cleanup(self, now: datetime, *, runs: int = 1) -> list[dict[str, Any]]:
        return self.server.cleanup(self.env, now, runs=runs)

    def close(self) -> None:
        for host in self.hosts:
            host.stop()
