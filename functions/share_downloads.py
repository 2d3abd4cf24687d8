"""A share's files as one ZIP (`/s/{share_id}/zip`), its images' previews and its QR code."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response, StreamingResponse

from functions._http import base_url, handle_errors, path_param
from functions._schemas.shares import share_link
from shared.clock import utcnow
from shared.shares import archive, previews, service
from shared.web import qr

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="s/{share_id}/zip", methods=["GET", "HEAD"])
@handle_errors
async def download_share_zip(req: Request) -> Response:
    headers = req.headers
    purpose = (
        f"{headers.get('sec-purpose', '')} {headers.get('purpose', '')} {headers.get('x-moz', '')}"
    )
    answer = await archive.open_zip(
        archive.ZipRequest(
            share_id=path_param(req, "share_id"),
            head=req.method == "HEAD",
            prefetch="prefetch" in purpose.lower(),
            range_header=headers.get("range"),
            if_range=headers.get("if-range"),
            if_none_match=headers.get("if-none-match"),
        ),
        now=utcnow(),
    )
    if answer.body is not None:
        return StreamingResponse(answer.body, status_code=answer.status, headers=answer.headers)
    return Response(status_code=answer.status, headers=answer.headers)


@bp.route(route="s/{share_id}/preview/{file_url}", methods=["GET"])
@handle_errors
async def preview_share_image(req: Request) -> Response:
    preview = await previews.open_preview(
        path_param(req, "share_id"), path_param(req, "file_url"), now=utcnow()
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
