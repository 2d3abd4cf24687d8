"""Close the app's storage clients when the local host stops, before its event loop ends.

The Functions host never does this (clients live as long as the worker); a local process that
stops its loop must, or aiohttp reports every open session as an error on the way out.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.storage import clients


def closing_storage(app: ASGIApp) -> ASGIApp:
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
