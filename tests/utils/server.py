"""Serve the local host's app over real HTTP on a free loopback port, in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette

from devhost.azurite import free_port
from devhost.lifespan import closing_storage


@contextmanager
def serve(app: Starlette, *, owns_storage: bool = False) -> Iterator[str]:
    """`owns_storage`: this server's loop holds the process's storage clients; close them."""
    port = free_port()
    config = uvicorn.Config(
        closing_storage(app) if owns_storage else app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on" if owns_storage else "off",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the local host did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_until_serving(
    url: str, *, exited: Callable[[], int | None] = lambda: None, timeout: float = 30
) -> None:
    """Until the host at `url` answers its health check; fails early once `exited()` says so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (code := exited()) is not None:
            raise RuntimeError(f"the local host at {url} exited with {code}")
        try:
            if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the local host at {url} did not start")


ROOT = Path(__file__).resolve().parents[2]
