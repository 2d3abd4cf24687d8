"""What every HTTP edge shares: the one place errors become the contract's JSON."""

import functools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pydantic_core
from azurefunctions.extensions.http.fastapi import HTMLResponse, JSONResponse, Request, Response
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from functions._schemas.base import Error, RequestBody, error_body
from shared.access import passwords
from shared.access.unlock import COOKIE_NAME, Credentials
from shared.accounts.auth import authenticate
from shared.accounts.tokens import TokenClaims
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import LinkLocked, ServiceError, WrongPassword
from shared.http.client_address import client_address
from shared.ops import observability
from shared.ops.ratelimit import enforce
from shared.web.message_page import error_page, password_page, wants_page
from shared.web.page_security import download_page_headers

logger = logging.getLogger(__name__)
observability.install_record_factory()

Handler = Callable[[Request], Awaitable[Response]]
Body = TypeVar("Body", bound=RequestBody)

# A link a browser opens, and anything under it: its password page posts to `<link>/unlock`.
_LINK_PATH = re.compile(r"^(/(?:file|f|s)/[^/]+)(?:/.*)?$")

# Response headers a browser app on an allowed origin (CORS_ALLOWED_ORIGINS) may read. The
# platform's CORS has no setting for them, so the app names them in its answers to those origins.
EXPOSED_HEADERS = "X-Url-Delete, Retry-After, X-Request-Id"


def json_response(
    body: BaseModel | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A model (functions/_schemas) as JSON; a plain dict only for the OpenAPI document."""
    content = body.model_dump(mode="json", by_alias=True) if isinstance(body, BaseModel) else body
    return JSONResponse(
        content, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def error_response(error: ServiceError, req: Request | None = None) -> Response:
    """The contract's JSON; a page in the site's style for a browser following a link (the
    password page for a locked link: never the browser's own Basic dialog)."""
    if req is not None and wants_page(req.headers.get("accept")):
        link = _LINK_PATH.match(req.url.path)
        if isinstance(error, LinkLocked) and link is not None:
            action = f"{link.group(1)}/unlock"
            wrong = isinstance(error, WrongPassword)
            page = password_page(action, error.expires_at, utcnow(), wrong=wrong)
            return page_response(page, error.status, error.headers())
        return page_response(error_page(error.status, error.message), error.status, error.headers())
    return json_response(error_body(error), error.status, error.headers())


def page_response(
    body: bytes, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """One of the service's small HTML pages: no script, never cached, never indexed."""
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Vary": "Accept",
            **download_page_headers(),
            **(headers or {}),
        },
    )


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
        if req.headers.get("origin") in get_settings().cors_allowed_origins:
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
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
        refused = passwords.in_query(req.query_params)
        if refused is not None:
            raise refused
        return await handler(req)
    except ServiceError as error:
        return error_response(error, req)
    except ClientDisconnect:
        logger.info("client went away during %s", handler.__name__)
        return json_response(Error.of("Client disconnected"), 400)
    except Exception:
        logger.exception("unhandled error in %s", handler.__name__)
        return json_response(Error.of("Internal server error"), 500)


def base_url(req: Request) -> str:
    """PUBLIC_BASE_URL when set, else (`make run`, tests; never in Azure, where settings require
    it) the scheme and host the request came to."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    return f"{req.url.scheme}://{req.url.netloc}"


def path_param(req: Request, name: str) -> str:
    return str(req.path_params.get(name, ""))


async def read_body(req: Request, model: type[Body]) -> Body:
    """The JSON body as `model`, or the contract's 400 for what is wrong with it."""
    return model.parse(await _read_json(req))


async def _read_json(req: Request, *, limit: int = 64 * 1024) -> Any:
    """The JSON body, or None when it is absent, too large or not JSON.

    Strict JSON (jiter, pydantic's parser): no NaN or Infinity, no lone surrogate, at most 200
    levels deep, so nothing read here can fail later when it is stored or sent back. UTF-16 and
    UTF-32 bodies and a UTF-8 byte order mark are still read, as json.loads did.
    """
    body = bytearray()
    async for chunk in req.stream():
        body += chunk
        if len(body) > limit:
            return None
    try:
        text = bytes(body).decode(json.detect_encoding(body))
        return pydantic_core.from_json(text, allow_inf_nan=False)
    except ValueError:  # UnicodeDecodeError is one
        return None


async def caller(req: Request) -> TokenClaims:
    """The authenticated caller, or the contract's section 1.1 error."""
    return await authenticate(
        req.headers.get("authorization"), settings=get_settings(), now=utcnow()
    )


def client_of(req: Request) -> str:
    """The caller's address, the key of per-client limits (shared/http/client_address.py)."""
    return client_address(
        req.client.host if req.client else None,
        req.headers.get("x-forwarded-for"),
        behind_front_end=get_settings().running_in_azure,
    )


def credentials_of(req: Request) -> Credentials:
    """A link password from HTTP Basic, and the unlock cookie (shared/access/unlock.py)."""
    return Credentials.of(req.headers.get("authorization"), req.cookies.get(COOKIE_NAME))


async def limit_rate(req: Request, scope: str, limit: int) -> None:
    """Count this request against the caller's address; 429 once over `limit` in the window."""
    settings = get_settings()
    await enforce(
        scope,
        client_of(req),
        limit=limit,
        window_seconds=settings.rate_limit_window_seconds,
        now=utcnow(),
    )
