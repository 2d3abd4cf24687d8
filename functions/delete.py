"""GET (the contract), DELETE or POST /api/delete/{file_url}: the owner removes a file.

With `?key=` as the contract has it; without a key, an `Authorization: Bearer` token of the
file's uploader or of its group's owner (shared/accounts/file_rights.py) does instead. A browser
following a key link (Accept prefers HTML) is asked first: a page whose button POSTs back here
deletes, so a chat app's link preview or a stray click deletes nothing.
"""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import caller, handle_errors, json_response, page_response, path_param
from functions._schemas.base import Success
from shared.accounts import file_rights
from shared.files import catalog
from shared.web.message_page import delete_page, deleted_page, wants_page

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)

_DELETED = Success(message="File deleted successfully")


@bp.route(route="api/delete/{file_url}", methods=["GET", "DELETE", "POST"])
@handle_errors
async def delete_file(req: Request) -> Response:
    file_url, key = path_param(req, "file_url"), req.query_params.get("key")
    if key is None and "authorization" in req.headers:
        await file_rights.delete_as(file_url, (await caller(req)).username)
        return json_response(_DELETED)
    browser = wants_page(req.headers.get("accept"))
    if browser and req.method == "GET":
        record = await catalog.find_owned(file_url, key)
        return page_response(delete_page(record.user_filename))
    await catalog.delete_with_key(file_url, key)
    if browser:
        return page_response(deleted_page())
    return json_response(_DELETED)
