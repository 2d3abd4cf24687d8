"""GET (the contract) or DELETE /api/delete/{file_url}: the owner removes a file.

With `?key=` as the contract has it; without a key, an `Authorization: Bearer` token of the
file's uploader or of its group's owner (shared/accounts/file_rights.py) does instead.
"""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import caller, handle_errors, json_response, path_param
from shared.accounts import file_rights
from shared.files import catalog

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/delete/{file_url}", methods=["GET", "DELETE"])
@handle_errors
async def delete_file(req: Request) -> Response:
    file_url, key = path_param(req, "file_url"), req.query_params.get("key")
    if key is None and "authorization" in req.headers:
        await file_rights.delete_as(file_url, (await caller(req)).username)
    else:
        await catalog.delete_with_key(file_url, key)
    return json_response({"status": "success", "message": "File deleted successfully"})
