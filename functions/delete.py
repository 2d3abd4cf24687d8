"""GET (the contract) or DELETE /api/delete/{file_url}?key=...: the owner removes a file."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import handle_errors, json_response, path_param
from functions._schemas.base import Success
from shared.files import catalog

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/delete/{file_url}", methods=["GET", "DELETE"])
@handle_errors
async def delete_file(req: Request) -> Response:
    await catalog.delete_with_key(path_param(req, "file_url"), req.query_params.get("key"))
    return json_response(Success(message="File deleted successfully"))
