"""A slow HTTP forward proxy: a client given HTTP_PROXY sends every request through it.

It relays each request to its origin with `Connection: close`, sends the answer back at a fixed
rate per connection (a slow network, so a transfer can be interrupted half-way on purpose), and
records every request line and its headers, so a test can see what the client asked for.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Seen:
    method: str
    url: str
    headers: dict[str, str]  # names in lower case


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, bytes_per_second: int) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.bytes_per_second = bytes_per_second
        self.seen: list[Seen] = []


class _Relay(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        request_line = self.rfile.readline().decode("latin-1").strip()
        if not request_line:
            return
        method, url, _ = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        forwarded = []
        while (line := self.rfile.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
            if name.strip().lower() not in ("connection", "proxy-connection", "keep-alive"):
                forwarded.append(line)
        body = self.rfile.read(int(headers.get("content-length", "0")))
        self.server.seen.append(Seen(method, url, headers))
        target = urlsplit(url)
        path = target.path + (f"?{target.query}" if target.query else "")
        head = "\r\n".join([f"{method} {path} HTTP/1.1", *forwarded, "Connection: close"])
        with socket.create_connection((target.hostname, target.port or 80)) as upstream:
            upstream.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
            while chunk := upstream.recv(_CHUNK):
                time.sleep(len(chunk) / self.server.bytes_per_second)
                try:
                    self.wfile.write(chunk)
                except OSError:  # the client went away (Ctrl-C)
                    return


@contextmanager
def slow_proxy(bytes_per_second: int) -> Iterator[tuple[str, list[Seen]]]:
    """The proxy's URL (for HTTP_PROXY) and the list of requests it relays, as they arrive."""
    server = _Server(bytes_per_second)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()
