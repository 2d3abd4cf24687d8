"""Serve the local host's app over real HTTP on a free loopback port, in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from devhost.azurite import free_port
from shared.storage import clients


def _closing_storage(app: Starlette) -> ASGIApp:
    """The app, plus what a process that ends its event loop owes: closing the storage clients."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await clients.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return wrapper


@contextmanager
def serve(app: Starlette, *, owns_storage: bool = False) -> Iterator[str]:
    """`owns_storage`: this server's loop holds the process's storage clients; close them."""
    port = free_port()
    config = uvicorn.Config(
        _closing_storage(app) if owns_storage else app,
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


ROOT = Path(__file__).resolve().parents[2]
