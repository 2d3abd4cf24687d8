"""What every HTTP edge shares: the one place errors become the contract's JSON."""

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from azurefunctions.extensions.http.fastapi import JSONResponse, Request, Response
from starlette.requests import ClientDisconnect

from shared.config import get_settings
from shared.errors import ServiceError

logger = logging.getLogger(__name__)

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
    """Library errors become their JSON answer; anything else is logged and answered opaquely."""

    @functools.wraps(handler)
    async def wrapper(req: Request) -> Response:
        try:
            return await handler(req)
        except ServiceError as error:
            return error_response(error)
        except ClientDisconnect:
            logger.info("client went away during %s %s", req.method, req.url.path)
            return json_response({"status": "error", "message": "Client disconnected"}, 400)
        except Exception:
            logger.exception("unhandled error in %s %s", req.method, req.url.path)
            return json_response({"status": "error", "message": "Internal server error"}, 500)

    return wrapper


def base_url(req: Request) -> str:
    """PUBLIC_BASE_URL when set, else the scheme and host the request came to."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    return f"{req.url.scheme}://{req.url.netloc}"


def path_param(req: Request, name: str) -> str:
    return str(req.path_params.get(name, ""))
