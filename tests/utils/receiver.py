"""A webhook receiver for tests: a tiny http.server on a free loopback port, in a thread.

It records every request and answers with the statuses it is given, in order (then `default`);
`hang` makes it wait that long before answering, `body_bytes` makes it answer that much text,
and `location` makes it a redirect.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass
class Behaviour:
    statuses: list[int] = field(default_factory=list)
    default: int = 204
    hang: float = 0.0
    body_bytes: int = 0
    location: str | None = None


class Receiver:
    def __init__(self, server: ThreadingHTTPServer, behaviour: Behaviour) -> None:
        self._server = server
        self.behaviour = behaviour
        self.received: list[Received] = []
        self.released = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """The first `count` requests, once they have arrived (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received[:count])
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received)} of {count} deliveries arrived in {timeout} s")


def _handler(receiver_box: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = receiver_box[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            behaviour = receiver.behaviour
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.lock:
                receiver.received.append(Received(headers, body, time.monotonic()))
                status = behaviour.statuses.pop(0) if behaviour.statuses else behaviour.default
            if behaviour.hang:
                receiver.released.wait(behaviour.hang)
            self.send_response(status)
            if behaviour.location:
                self.send_header("Location", behaviour.location)
            self.send_header("Content-Length", str(behaviour.body_bytes))
            self.end_headers()
            # The sender may stop reading early, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(b"x" * behaviour.body_bytes)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def receiving(behaviour: Behaviour | None = None, *, host: str = "127.0.0.1") -> Iterator[Receiver]:
    box: list[Receiver] = []
    server = ThreadingHTTPServer((host, 0), _handler(box))
    server.daemon_threads = True
    receiver = Receiver(server, behaviour or Behaviour())
    box.append(receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
