"""Close the app's storage clients when the local host stops, before its event loop ends.

The Functions host never does this (clients live as long as the worker); a local process that
stops its loop must, or aiohttp reports every open session as an error on the way out. The app's
own lifespan (its queue listeners) runs first, then background notifications are let finish.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.notifications import notify
from shared.storage import clients


def closing_storage(app: ASGIApp) -> ASGIApp:
    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_after_closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await notify.drain()
                await clients.close()
            await send(message)

        await app(scope, receive, send_after_closing)

    return wrapper
