"""The load itself: concurrent clients doing mixed small uploads and downloads, within a budget.

Every answer is checked as it arrives: an upload must answer 200 with its size, a download of a
file without a limit 200 with exactly the uploaded bytes. A one-time link is raced: two requests
at once, of which exactly one may get the bytes; its 200s are counted across the whole run, so
verification can tell "served once" from "served twice" or "lost".

Each client connects from its own loopback address, as many real callers would: rate limits count
per address, and one address's counter is a single table row that every concurrent request from
it updates conditionally, so 32 requests at once from one address mostly wait on each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

KIB = 1024
UPLOAD = "upload"
UPLOAD_ONCE = "upload (one-time)"
DOWNLOAD = "download"
DOWNLOAD_ONCE = "download (one-time)"
_WEIGHTS = {UPLOAD: 30, UPLOAD_ONCE: 10, DOWNLOAD: 45, DOWNLOAD_ONCE: 15}


@dataclass(frozen=True)
class Plan:
    clients: int = 32
    max_operations: int = 2_000
    max_seconds: float = 60.0
    min_size: int = 1 * KIB
    max_size: int = 64 * KIB
    seed: int = 8


@dataclass
class Stored:
    """An uploaded file as the load knows it: what it sent, and how often a limit link served."""

    file_url: str
    sha256: str
    size: int
    one_time: bool
    served: int = 0
    raced: bool = False


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    files: list[Stored] = field(default_factory=list)
    operations: int = 0
    seconds: float = 0.0


class _Budget:
    """Operations are taken one at a time until the count or the time runs out."""

    def __init__(self, plan: Plan) -> None:
        self._left = plan.max_operations
        self._deadline = time.monotonic() + plan.max_seconds

    def take(self, count: int = 1) -> bool:
        if self._left < count or time.monotonic() >= self._deadline:
            return False
        self._left -= count
        return True


def client(base_url: str, connections: int, *, source: str | None = None) -> httpx.AsyncClient:
    """A keep-alive client; `source` binds it to one loopback address (127.0.0.0/8 is all ours)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    transport = httpx.AsyncHTTPTransport(limits=limits, local_address=source)
    return httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(60), transport=transport)


def source_address(number: int) -> str:
    """Client `number`'s own loopback address, 127.0.1.x: each client is a caller of its own."""
    return f"127.0.{1 + number // 250}.{1 + number % 250}"


async def run(base_url: str, plan: Plan) -> Results:
    """Run `plan.clients` clients until the budget is spent; every file they stored is listed."""
    results = Results()
    budget = _Budget(plan)
    started = time.perf_counter()
    async with contextlib.AsyncExitStack() as stack:
        workers = [
            _Client(
                # Two connections: a one-time race sends two requests at once.
                await stack.enter_async_context(client(base_url, 2, source=source_address(n))),
                results,
                budget,
                plan,
                random.Random(plan.seed * 1_000 + n),
            )
            for n in range(plan.clients)
        ]
        await asyncio.gather(*(worker.run() for worker in workers))
    results.seconds = time.perf_counter() - started
    return results


class _Client:
    def __init__(
        self,
        http: httpx.AsyncClient,
        results: Results,
        budget: _Budget,
        plan: Plan,
        rng: random.Random,
    ) -> None:
        self.http = http
        self.results = results
        self.budget = budget
        self.plan = plan
        self.rng = rng

    async def run(self) -> None:
        while True:
            operation = self._choose()
            # A race is two requests, so it takes two operations from the budget.
            if not self.budget.take(2 if operation == DOWNLOAD_ONCE else 1):
                return
            try:
                await self._do(operation)
            except httpx.HTTPError as error:
                self.results.errors.append(f"{operation}: {type(error).__name__}: {error}")

    def _choose(self) -> str:
        operation = self.rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()))[0]
        if operation == DOWNLOAD and not self._unlimited():
            return UPLOAD
        if operation == DOWNLOAD_ONCE and not self._unraced():
            return UPLOAD_ONCE
        return operation

    def _unlimited(self) -> list[Stored]:
        return [stored for stored in self.results.files if not stored.one_time]

    def _unraced(self) -> list[Stored]:
        return [stored for stored in self.results.files if stored.one_time and not stored.raced]

    async def _do(self, operation: str) -> None:
        if operation in {UPLOAD, UPLOAD_ONCE}:
            await self._upload(operation)
        elif operation == DOWNLOAD:
            await self._download(self.rng.choice(self._unlimited()))
        else:
            target = self.rng.choice(self._unraced())
            target.raced = True  # before the first await: no other client picks it now
            await asyncio.gather(self._download(target), self._download(target))

    async def _upload(self, operation: str) -> None:
        size = self.rng.randint(self.plan.min_size, self.plan.max_size)
        body = self.rng.randbytes(size)
        one_time = operation == UPLOAD_ONCE
        name = f"load-{self.rng.getrandbits(32):08x}.bin"
        options = {"max_downloads": "1"} if one_time else {}
        started = time.perf_counter()
        # Both upload forms, alternately: the contract's multipart POST and the raw PUT.
        if self.rng.random() < 0.5:
            response = await self.http.post(
                "/api/upload/private", files={"file": (name, body)}, data=options
            )
        else:
            response = await self.http.put(
                f"/api/upload/private/{name}", content=body, params=options
            )
        self._timed(operation, started)
        if response.status_code != 200 or response.json().get("size") != size:
            self._error(operation, response)
            return
        digest = hashlib.sha256(body).hexdigest()
        self.results.files.append(Stored(response.json()["file_url"], digest, size, one_time))

    async def _download(self, stored: Stored) -> None:
        operation = DOWNLOAD_ONCE if stored.one_time else DOWNLOAD
        started = time.perf_counter()
        response = await self.http.get(f"/file/{stored.file_url}")
        self._timed(operation, started)
        if response.status_code == 200:
            stored.served += 1
            if hashlib.sha256(response.content).hexdigest() != stored.sha256:
                self.results.errors.append(f"{operation} {stored.file_url}: other bytes came back")
        elif not (stored.one_time and response.status_code == 404):
            # A one-time link's loser gets 404; anything else is an error.
            self._error(operation, response)

    def _timed(self, operation: str, started: float) -> None:
        self.results.latencies[operation].append(time.perf_counter() - started)
        self.results.operations += 1

    def _error(self, operation: str, response: httpx.Response) -> None:
        self.results.errors.append(f"{operation}: {response.status_code} {response.text[:200]}")
