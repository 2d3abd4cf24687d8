"""Request header limits for the local host, as the Functions host (Kestrel) applies them in Azure.

uvicorn's default parser (httptools) accepts request headers of any size; Kestrel refuses more
than 32 KiB in total or more than 100 fields with 431, and the App Service front end caps headers
at 64 KiB before that. This middleware gives the local host the same answer, so tests and clients
see what production does.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_BYTES = 32 * 1024
MAX_HEADER_COUNT = 100


class HeaderLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            size = sum(len(name) + len(value) + 4 for name, value in headers)
            size += len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            if size > MAX_HEADER_BYTES or len(headers) > MAX_HEADER_COUNT:
                await _too_large(send)
                return
        await self.app(scope, receive, send)


async def _too_large(send: Send) -> None:
    body = json.dumps({"status": "error", "message": "Request headers too large"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 431,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
