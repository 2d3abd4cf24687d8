"""Every path and method no other function answers: the contract's JSON error, never the host's.

An unknown path is 404 `Not found`; a known path asked with another method is 405 with `Allow`
(from the API description, which tests keep equal to the registered routes). A browser gets the
same as a page. The Functions host tries routes in the order of their functions' names
(Azure/azure-functions-host#9876), so this catch-all is named to sort after every other; the
local host puts catch-all routes last, as ASP.NET Core's precedence does.
"""

import functools
import re

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions import _openapi
from functions._http import handle_errors
from shared.errors import MethodNotAllowed, NotFound

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@bp.function_name("zz_fallback")
@bp.route(route="{*path}", methods=_METHODS)
@handle_errors
async def fallback(req: Request) -> Response:
    allowed = _allowed_methods(req.url.path)
    if allowed:
        raise MethodNotAllowed(allowed)
    raise NotFound()


def _allowed_methods(path: str) -> list[str]:
    for pattern, methods in _known_paths():
        if pattern.fullmatch(path):
            return methods
    return []


@functools.cache
def _known_paths() -> list[tuple[re.Pattern[str], list[str]]]:
    known = []
    for template, operations in _openapi.document()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        methods = sorted(method.upper() for method in operations)
        known.append((re.compile(pattern), methods))
    return known
