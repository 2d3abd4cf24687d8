"""What every HTTP edge shares: the one place errors become the contract's JSON."""

import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from azurefunctions.extensions.http.fastapi import JSONResponse, Request, Response
from starlette.requests import ClientDisconnect

from shared.accounts.auth import authenticate
from shared.accounts.tokens import TokenClaims
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import ServiceError
from shared.ops import observability
from shared.ops.ratelimit import client_address, enforce

logger = logging.getLogger(__name__)
observability.install_record_factory()

Handler = Callable[[Request], Awaitable[Response]]


def json_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(
        body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def error_response(error: ServiceError) -> Response:
    return json_response(error.body(), error.status, error.headers())


def handle_errors(handler: Handler) -> Handler:
    """Library errors become their JSON answer; anything else is logged and answered opaquely.

    Every request also gets an id (the caller's well-formed X-Request-Id, or a new one): it is on
    every log line of the request and comes back in the X-Request-Id header.
    """

    @functools.wraps(handler)
    async def wrapper(req: Request) -> Response:
        request_id = observability.begin_request(req.headers.get("x-request-id"))
        started = time.perf_counter()
        response = await _answer(handler, req)
        response.headers["X-Request-Id"] = request_id
        # Never the URL: query strings carry delete keys, paths carry file links.
        logger.info(
            "%s %s -> %d",
            handler.__name__,
            req.method,
            response.status_code,
            extra={
                "function": handler.__name__,
                "method": req.method,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    return wrapper


async def _answer(handler: Handler, req: Request) -> Response:
    """The handler's response, or the JSON answer for what it raised.

    Logged by function name, with the request id every record carries: never the path (file ids,
    filenames) nor the query string (delete keys).
    """
    try:
        return await handler(req)
    except ServiceError as error:
        return error_response(error)
    except ClientDisconnect:
        logger.info("client went away during %s", handler.__name__)
        return json_response({"status": "error", "message": "Client disconnected"}, 400)
    except Exception:
        logger.exception("unhandled error in %s", handler.__name__)
        return json_response({"status": "error", "message": "Internal server error"}, 500)


def base_url(req: Request) -> str:
    """PUBLIC_BASE_URL when set, else (`make run`, tests; never in Azure, where settings require
    it) the scheme and host the request came to."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    return f"{req.url.scheme}://{req.url.netloc}"


def path_param(req: Request, name: str) -> str:
    return str(req.path_params.get(name, ""))


async def read_json(req: Request, *, limit: int = 64 * 1024) -> Any:
    """The JSON body, or None when it is absent, too large or not JSON."""
    body = bytearray()
    async for chunk in req.stream():
        body += chunk
        if len(body) > limit:
            return None
    try:
        return json.loads(body)
    except ValueError:
        return None


async def caller(req: Request) -> TokenClaims:
    """The authenticated caller, or the contract's section 1.1 error."""
    return await authenticate(
        req.headers.get("authorization"), settings=get_settings(), now=utcnow()
    )


async def limit_rate(req: Request, scope: str, limit: int) -> None:
    """Count this request against the caller's address; 429 once over `limit` in the window."""
    settings = get_settings()
    client = client_address(
        req.client.host if req.client else None,
        req.headers.get("x-forwarded-for"),
        behind_front_end=settings.running_in_azure,
    )
    await enforce(
        scope, client, limit=limit, window_seconds=settings.rate_limit_window_seconds, now=utcnow()
    )
