"""Shares, many files under one link: create, add files, read (a page or JSON), delete.

The archive of a share and its QR code are in functions/share_downloads.py.
"""

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
    page_response,
    path_param,
    read_body,
)
from functions._schemas.base import Success
from functions._schemas.shares import (
    LockedShare,
    ShareCreated,
    ShareDeclaration,
    ShareManifest,
)
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import PasswordRequired
from shared.files.uploads import Owner, resolve_owner
from shared.http.multipart import is_multipart
from shared.shares import service
from shared.web import share_page
from shared.web.message_page import wants_page

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/shares", methods=["POST"])
@handle_errors
async def create_share(req: Request) -> Response:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    content_type = req.headers.get("content-type", "")
    if is_multipart(content_type):
        owner = await _owner(req, req.query_params.get("group_id"))
        received = await service.create_with_files(
            content_type,
            req.headers.get("content-length"),
            req.stream(),
            query=req.query_params,
            owner=owner,
            settings=settings,
            now=utcnow(),
        )
        response = json_response(
            ShareCreated.of(received.share, received.added, base_url(req), "Share created")
        )
        await service.acknowledge(received)
        return response
    declared = await read_body(req, ShareDeclaration)
    options = declared.options()
    owner = await _owner(req, options.get("group_id"))
    share = await service.create(options, owner, settings=settings, now=utcnow())
    return json_response(ShareCreated.of(share, (), base_url(req), "Share created"))


@bp.route(route="api/shares/{share_id}/files", methods=["POST"])
@handle_errors
async def add_share_files(req: Request) -> Response:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    received = await service.add_files(
        path_param(req, "share_id"),
        req.query_params.get("key"),
        req.headers.get("content-type", ""),
        req.headers.get("content-length"),
        req.stream(),
        settings=settings,
        now=utcnow(),
    )
    response = json_response(
        ShareCreated.of(received.share, received.added, base_url(req), "Files added")
    )
    await service.acknowledge(received)
    return response


@bp.route(route="api/shares/{share_id}", methods=["DELETE"])
@handle_errors
async def delete_share(req: Request) -> Response:
    share_id, key = path_param(req, "share_id"), req.query_params.get("key")
    if key is None and "authorization" in req.headers:
        await service.delete_as(share_id, (await caller(req)).username)
    else:
        await service.delete_with_key(share_id, key)
    return json_response(Success(message="Share deleted successfully"))


@bp.route(route="s/{share_id}", methods=["GET"])
@handle_errors
async def get_share(req: Request) -> Response:
    """The page or the manifest. Locked, an API client learns only that a password is needed and
    when the share expires; a browser gets the password page (functions/_http.py)."""
    now = utcnow()
    browser = wants_page(req.headers.get("accept"))
    try:
        share, members = await service.open_live(
            path_param(req, "share_id"),
            credentials=credentials_of(req),
            client=client_of(req),
            settings=get_settings(),
            now=now,
        )
    except PasswordRequired as locked:
        if browser or locked.expires_at is None:
            raise
        return json_response(LockedShare.of(locked.expires_at), headers={"Vary": "Accept"})
    if browser:
        return page_response(share_page.render(share, members, now))
    manifest = ShareManifest.of(share, members, base_url(req))
    return json_response(manifest, headers={"Vary": "Accept"})


async def _owner(req: Request, group_id: str | None) -> Owner:
    owner, _ = await resolve_owner(
        group_id or "private",
        req.headers.get("authorization"),
        settings=get_settings(),
        now=utcnow(),
    )
    return owner
