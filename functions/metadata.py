"""GET /api/metadata/{file_url}: one file's public facts; never counts, never shows the key."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, handle_errors, json_response, path_param
from functions._schemas.files import Metadata
from shared.clock import utcnow
from shared.files import catalog

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/metadata/{file_url}", methods=["GET"])
@handle_errors
async def get_metadata(req: Request) -> Response:
    record = await catalog.find_live(path_param(req, "file_url"), utcnow())
    return json_response(Metadata.of(record, base_url(req)))
