"""Upload links (reverse shares): the owner's /api/reverse_shares, the uploader's /r/{link_id}."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import (
    base_url,
    caller,
    client_of,
    credentials_of,
    handle_errors,
    json_response,
    limit_rate,
    path_param,
    read_body,
)
from functions._schemas.base import Success
from functions._schemas.reverse import (
    NewReverseShare,
    ReverseShareCreated,
    ReverseShareInfo,
    ReverseShareList,
    UploadLinkStatus,
    UploadReceipt,
)
from functions.web import asset_response
from shared.clock import utcnow
from shared.config import get_settings
from shared.files import uploads
from shared.reverse import receive, service
from shared.web.assets import asset
from shared.web.message_page import wants_page
from shared.web.page_security import app_page_headers

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/reverse_shares", methods=["POST"])
@handle_errors
async def create_reverse_share(req: Request) -> Response:
    claims = await caller(req)
    settings = get_settings()
    body = await read_body(req, NewReverseShare)
    link = await service.create(claims.username, body.new_link(settings), now=utcnow())
    info = ReverseShareInfo.of(link, base_url(req))
    return json_response(ReverseShareCreated(message="Upload link created", **info.model_dump()))


@bp.route(route="api/reverse_shares", methods=["GET"])
@handle_errors
async def list_reverse_shares(req: Request) -> Response:
    claims = await caller(req)
    found = await service.of_owner(claims.username, utcnow())
    base = base_url(req)
    return json_response(
        ReverseShareList(
            message="upload links", data=[ReverseShareInfo.of(link, base) for link in found]
        )
    )


@bp.route(route="api/reverse_shares/{link_id}", methods=["DELETE"])
@handle_errors
async def delete_reverse_share(req: Request) -> Response:
    claims = await caller(req)
    await service.revoke(claims.username, path_param(req, "link_id"))
    return json_response(Success(message="Upload link revoked"))


@bp.route(route="r/{link_id}", methods=["GET", "HEAD"])
@handle_errors
async def get_upload_link(req: Request) -> Response:
    """The upload page for a browser, what the link still accepts for a program."""
    settings = get_settings()
    link = await receive.find_live(path_param(req, "link_id"), utcnow())
    if wants_page(req.headers.get("accept")):
        headers = {**app_page_headers(settings), "X-Robots-Tag": "noindex, nofollow"}
        return asset_response(req, asset("reverse.html"), headers)
    return json_response(UploadLinkStatus.of(link, settings))


@bp.route(route="r/{link_id}", methods=["POST"])
@handle_errors
async def upload_to_link(req: Request) -> Response:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    receipt = await receive.receive(
        path_param(req, "link_id"),
        credentials_of(req),
        req.headers.get("content-type", ""),
        req.headers.get("content-length"),
        req.stream(),
        client=client_of(req),
        settings=settings,
        now=utcnow(),
    )
    response = json_response(UploadReceipt.of(receipt))
    await uploads.acknowledge(receipt.published)
    return response
