"""CORS for the local host, as the platform applies it in Azure from siteConfig.cors.

In Azure the Functions host answers preflights and adds Access-Control-Allow-Origin for the
origins infra/ sets from CORS_ALLOWED_ORIGINS (any method, any request header, no credentials);
the app never sees a preflight. This middleware does the same here with Starlette's CORS
middleware, reading the allow-list from the app's settings on each cross-origin request, so a
changed setting applies at once. Headers the page may read (Access-Control-Expose-Headers) are
the app's own business: functions/_http.py adds them, in Azure as here.
"""

from __future__ import annotations

import functools

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.config import get_settings


class Cors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not any(name == b"origin" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        origins = get_settings().cors_allowed_origins
        if not origins:
            await self.app(scope, receive, send)
            return
        await self._policy(origins)(scope, receive, send)

    @functools.lru_cache(maxsize=4)  # noqa: B019 - one middleware per process, a few allow-lists
    def _policy(self, origins: tuple[str, ...]) -> CORSMiddleware:
        return CORSMiddleware(
            self.app, allow_origins=origins, allow_methods=["*"], allow_headers=["*"]
        )
