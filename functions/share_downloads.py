"""A share's files: all as one ZIP (`/s/{share_id}/zip`), one by one under the share's path
(`/s/{share_id}/files/{file_url}`, where the share's unlock cookie applies), its images'
previews, its QR code, and the share page's password form."""

import functools
from urllib.parse import quote

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response, StreamingResponse

from functions._http import (
    Handler,
    base_url,
    client_of,
    credentials_of,
    handle_errors,
    path_param,
)
from functions._schemas.shares import share_link
from functions.download import is_prefetch, serve_download
from functions.unlock import form_password
from shared.access import unlock
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import PasswordRequired
from shared.shares import archive, previews, service
from shared.web import qr
from shared.web.message_page import wants_page

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


def _unlocked_on_the_page(handler: Handler) -> Handler:
    """A browser asking for a locked share's ZIP, file or preview is sent to the share's page,
    which asks for the password once (its cookie then opens every path under the share)."""

    @functools.wraps(handler)
    async def wrapper(req: Request) -> Response:
        try:
            return await handler(req)
        except PasswordRequired:
            if not wants_page(req.headers.get("accept")):
                raise
            page = f"/s/{quote(path_param(req, 'share_id'), safe='')}"
            return Response(status_code=303, headers={"Location": page, "Vary": "Accept"})

    return wrapper


@bp.route(route="s/{share_id}/zip", methods=["GET", "HEAD"])
@handle_errors
@_unlocked_on_the_page
async def download_share_zip(req: Request) -> Response:
    headers = req.headers
    answer = await archive.open_zip(
        archive.ZipRequest(
            share_id=path_param(req, "share_id"),
            head=req.method == "HEAD",
            prefetch=is_prefetch(req),
            range_header=headers.get("range"),
            if_range=headers.get("if-range"),
            if_none_match=headers.get("if-none-match"),
        ),
        credentials=credentials_of(req),
        client=client_of(req),
        settings=get_settings(),
        now=utcnow(),
    )
    if answer.body is not None:
        return StreamingResponse(answer.body, status_code=answer.status, headers=answer.headers)
    return Response(status_code=answer.status, headers=answer.headers)


@bp.route(route="s/{share_id}/files/{file_url}", methods=["GET", "HEAD", "POST"])
@handle_errors
@_unlocked_on_the_page
async def download_share_file(req: Request) -> Response:
    return await serve_download(req, within_share=path_param(req, "share_id"))


@bp.route(route="s/{share_id}/preview/{file_url}", methods=["GET"])
@handle_errors
@_unlocked_on_the_page
async def preview_share_image(req: Request) -> Response:
    preview = await previews.open_preview(
        path_param(req, "share_id"),
        path_param(req, "file_url"),
        credentials=credentials_of(req),
        client=client_of(req),
        settings=get_settings(),
        now=utcnow(),
    )
    return StreamingResponse(preview.body, headers=preview.headers)


@bp.route(route="s/{share_id}/qr", methods=["GET"])
@handle_errors
async def get_share_qr(req: Request) -> Response:
    share_id = path_param(req, "share_id")
    fmt, scale = qr.parse_options(req.query_params)
    await service.find_live(share_id, utcnow())
    image = qr.render(share_link(base_url(req), share_id), fmt, scale)
    return Response(image.content, headers=image.headers)


@bp.route(route="s/{share_id}/unlock", methods=["POST"])
@handle_errors
async def unlock_share(req: Request) -> Response:
    """The share page's password form. The right password sets the share's unlock cookie, for
    every path under the share, and sends the browser back to the page (303); a wrong one gets
    the password page again (401). Never counts a download."""
    now = utcnow()
    share, _ = await service.find_live(path_param(req, "share_id"), now)
    token = await unlock.unlock(
        link_id=share.share_id,
        password_hash=share.password_hash,
        password=await form_password(req),
        client=client_of(req),
        settings=get_settings(),
        now=now,
        expires_at=share.expires_at,
    )
    root = f"/s/{share.share_id}"
    headers = {"Location": root, "Cache-Control": "no-store"}
    if share.password_hash is not None:
        secure = base_url(req).startswith("https://")
        headers["Set-Cookie"] = unlock.unlock_cookie(token, path=root, secure=secure)
    return Response(status_code=303, headers=headers)
