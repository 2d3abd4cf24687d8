"""The web page: GET / (and invite links) and its static assets under /static/{name}."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import handle_errors, path_param
from shared.config import get_settings
from shared.web.assets import Asset, asset, static_asset
from shared.web.page_security import app_page_headers

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


# `{ignored:maxlength(0)?}` is how a function answers at the site root (routePrefix is "").
@bp.route(route="{ignored:maxlength(0)?}", methods=["GET", "HEAD"])
@handle_errors
async def get_index(req: Request) -> Response:
    return _page(req)


# Invite links (`/invite/{code}`) open the page, which offers to join.
@bp.route(route="invite/{code}", methods=["GET", "HEAD"])
@handle_errors
async def get_invite_page(req: Request) -> Response:
    return _page(req)


@bp.route(route="static/{name}", methods=["GET", "HEAD"])
@handle_errors
async def get_static(req: Request) -> Response:
    return asset_response(req, static_asset(path_param(req, "name")), {})


# The decrypting service worker: served from /decrypt/ so its scope is /decrypt/, where the
# decrypt page (web/decrypt.js) sends the download it streams to disk.
@bp.route(route="decrypt/sw.js", methods=["GET", "HEAD"])
@handle_errors
async def get_decrypt_worker(req: Request) -> Response:
    return asset_response(req, asset("decrypt-sw.js"), {})


def _page(req: Request) -> Response:
    return asset_response(req, asset("index.html"), app_page_headers(get_settings()))


def asset_response(req: Request, item: Asset, extra: dict[str, str]) -> Response:
    headers = {
        "ETag": item.etag,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        **extra,
    }
    if item.not_modified(req.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(content=item.body, media_type=item.content_type, headers=headers)
