"""GET /api/openapi.json and GET /api/docs: the API's description, as data and as a page."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import HTMLResponse, Request, Response

from functions import _openapi
from functions._http import base_url, handle_errors, json_response
from shared.web.docs_page import render

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)

# Cacheable: the document changes only with a deployment.
_CACHE = {"Cache-Control": "public, max-age=300"}


@bp.route(route="api/openapi.json", methods=["GET"])
@handle_errors
async def get_openapi(req: Request) -> Response:
    document = _openapi.document()
    document["servers"] = [{"url": base_url(req)}]
    return json_response(document, headers=_CACHE)


@bp.route(route="api/docs", methods=["GET"])
@handle_errors
async def get_docs(req: Request) -> Response:
    return HTMLResponse(render(_openapi.document()), headers={**_CACHE, **_PAGE_HEADERS})


# The page is self-contained: no script, no remote resource, so it can be locked down entirely.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}
