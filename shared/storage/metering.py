"""Counting storage requests, and how many of them had to wait for one another.

Every storage client of the process (shared/storage/clients.py) calls `METER` from its SDK
pipeline: azure-core's request and response hooks (`raw_request_hook`, `raw_response_hook`), which
run once per HTTP request sent, retries included. Off by default, when a hook costs one attribute
read; the request-count tests (tests/ops/test_request_counts.py) and `make bench` switch it on.

A *phase* is a step on the critical path: request B waits for request A when B started after A's
answer arrived. `phases` is the length of the longest such chain, so requests sent concurrently
count once. It is deterministic for code that starts independent requests together (asyncio
starts every task of a gather before any of their answers can be handled).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

_START = "fileshare_meter_start"
MARK = "mark:"
FIRST_BYTE = "first byte"


@dataclass(frozen=True)
class Request:
    """One storage request: when it was sent and answered (time.monotonic) and what it was."""

    start: float
    end: float
    what: str
    partition: str = ""  # a table row's PartitionKey, a blob's name; "" when not known


def marked(requests: Sequence[Request], what: str = FIRST_BYTE) -> float | None:
    """When the first mark named `what` was made, if one was."""
    return min((r.start for r in requests if r.what == f"{MARK}{what}"), default=None)


def phases(requests: Sequence[Request], *, before: float | None = None) -> int:
    """The longest chain of requests each sent after the previous one's answer arrived; only
    requests sent before `before` (e.g. the moment the first byte reached the client) count."""
    chosen = sorted(
        (
            r
            for r in requests
            if not r.what.startswith(MARK) and (before is None or r.start < before)
        ),
        key=lambda r: r.start,
    )
    depth: list[int] = []
    for i, request in enumerate(chosen):
        waited = [depth[j] for j in range(i) if chosen[j].end <= request.start]
        depth.append(1 + max(waited, default=0))
    return max(depth, default=0)


class RequestMeter:
    """Records storage requests while `recording()` is active (in any thread of the process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[Request] | None = None

    def hooks(self) -> dict[str, Any]:
        """The SDK client keyword arguments that install the meter."""
        return {"raw_request_hook": self.on_request, "raw_response_hook": self.on_response}

    def on_request(self, request: Any) -> None:
        if self._log is not None:
            request.context[_START] = time.monotonic()

    def on_response(self, response: Any) -> None:
        log = self._log
        if log is None:
            return
        start = response.context.get(_START)
        if start is None:
            return
        http = response.http_request
        path = urlsplit(http.url).path.strip("/").split("/")
        # Azurite's URLs are path-style (account first); Azure's name the account in the host.
        resource = path[1] if len(path) > 1 and "127.0.0.1" in http.url else path[0]
        partition = _partition(http, path)
        resource = resource.split("(")[0]  # a table entity's keys follow its table's name
        with self._lock:
            log.append(Request(start, time.monotonic(), f"{http.method} {resource}", partition))

    def mark(self, what: str) -> None:
        """Note a moment of the operation (the first byte handed to the server), as a request
        with no duration named `mark:<what>`; phases() leaves marks out."""
        log = self._log
        if log is not None:
            moment = time.monotonic()
            with self._lock:
                log.append(Request(moment, moment, f"{MARK}{what}"))

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[Request]]:
        """Record the requests sent inside the block; the list fills as their answers arrive."""
        log: list[Request] = []
        with self._lock:
            self._log = log
        try:
            yield log
        finally:
            with self._lock:
                self._log = None

    def start(self) -> None:
        """Begin a recording (the local host's admin endpoint, for the benchmark)."""
        with self._lock:
            self._log = []

    def stop(self) -> list[Request]:
        """End the recording begun by `start`; what it recorded."""
        with self._lock:
            log, self._log = self._log or [], None
        return log


_KEY_IN_URL = re.compile(r"PartitionKey='([^']*)'")
_KEY_IN_BODY = re.compile(rb'"PartitionKey":\s*"([^"]*)"')


def _partition(http: Any, path: list[str]) -> str:
    """The partition a request lands in: a table row's PartitionKey (in the URL, or in the body
    of an insert or a batch), or a blob's container/name; "" when neither shows."""
    found = _KEY_IN_URL.search(unquote(http.url))
    if found:
        return found.group(1)
    body = getattr(http, "body", None)
    if isinstance(body, str):
        body = body.encode()
    if isinstance(body, bytes):
        in_body = _KEY_IN_BODY.search(body)
        if in_body:
            return in_body.group(1).decode(errors="replace")
    # A blob's URL names container and blob (Azurite puts the account first), a table's never.
    blob = ".blob." in http.url or (len(path) >= 4 and "127.0.0.1" in http.url)
    return "/".join(path[-2:]) if blob else ""


METER = RequestMeter()
