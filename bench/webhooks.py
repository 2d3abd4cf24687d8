"""(f) Webhooks: does an endpoint slow downloads down? p50 with one registered vs without.

Two accounts each download their own 1 KiB file in turns over one keep-alive client; one account
has an endpoint (a local receiver answering 204), so each of its downloads queues an event that
the host's queue trigger delivers meanwhile. Goal: the ratio of the p50s is at most 1.1.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import api, payload
from bench.outcome import Outcome, timed
from bench.report import Check, at_most, info
from bench.stack import Stack

SMALL = 1024
_WARM_UP = 10
_DELIVERY_WAIT_SECONDS = 60


class _Counting(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with _Counting.lock:
            _Counting.count += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _receiver() -> Iterator[str]:
    """A loopback endpoint that counts what it receives."""
    _Counting.count = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _received(expected: int) -> int:
    """How many events arrived, waiting up to a minute for `expected` of them."""
    deadline = time.monotonic() + _DELIVERY_WAIT_SECONDS
    while _Counting.count < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return _Counting.count


async def measure_webhooks(stack: Stack, *, count: int) -> Outcome:
    body = payload.small(SMALL)
    with _receiver() as url:
        async with api.client(stack.base_url) as http:
            watched = await api.register(http, f"bench-hooked-{secrets.token_hex(4)}")
            plain = await api.register(http, f"bench-plain-{secrets.token_hex(4)}")
            await api.add_webhook(http, watched, url)
            files = {
                "with": await api.upload(http, "hooked.bin", body, SMALL, token=watched),
                "without": await api.upload(http, "plain.bin", body, SMALL, token=plain),
            }
            seconds: dict[str, list[float]] = {"with": [], "without": []}
            for index in range(_WARM_UP + count):
                # Alternate which goes first, so neither always follows the other's event.
                order = ("with", "without") if index % 2 else ("without", "with")
                for which in order:
                    _, took = await timed(api.download(http, files[which].file_url))
                    if index >= _WARM_UP:
                        seconds[which].append(took)
        delivered = await asyncio.to_thread(_received, _WARM_UP + count)
    with_p50 = statistics.median(seconds["with"]) * 1000
    without_p50 = statistics.median(seconds["without"]) * 1000
    ratio = with_p50 / without_p50
    note = f"{count} downloads each, alternating; p50 {with_p50:.1f} vs {without_p50:.1f} ms"
    return Outcome(
        figures=[
            at_most("(f) download p50 with / without a webhook", ratio, 1.1, note=note),
            info("(f) webhook events delivered", f"{delivered} of {_WARM_UP + count}"),
        ],
        checks=[
            Check(
                "every download of the watched file was delivered to its webhook",
                delivered == _WARM_UP + count,
                f"{delivered} of {_WARM_UP + count}",
            )
        ],
    )
