"""GET /api/qr/{file_url}: a QR code of the file's full link (SVG, or PNG with ?format=png)."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, handle_errors, path_param
from shared.clock import utcnow
from shared.web import qr

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/qr/{file_url}", methods=["GET"])
@handle_errors
async def get_qr(req: Request) -> Response:
    image = await qr.for_file(
        path_param(req, "file_url"), req.query_params, base_url=base_url(req), now=utcnow()
    )
    return Response(image.content, headers=image.headers)
