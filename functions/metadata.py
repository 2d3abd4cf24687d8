"""GET /api/metadata/{file_url}: one file's public facts; never counts, never shows the key.

A link with a password tells only that and its expiry until the request carries the password
(HTTP Basic); a wrong one is the 401 a download gets.
"""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import (
    base_url,
    client_of,
    credentials_of,
    handle_errors,
    json_response,
    path_param,
)
from functions._schemas.files import LockedMetadata, Metadata
from shared.access.unlock import check_access
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import PasswordRequired
from shared.files import catalog

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/metadata/{file_url}", methods=["GET"])
@handle_errors
async def get_metadata(req: Request) -> Response:
    now = utcnow()
    record = await catalog.find_live(path_param(req, "file_url"), now)
    try:
        await check_access(
            link_id=record.file_url,
            password_hash=record.password_hash,
            credentials=credentials_of(req),
            client=client_of(req),
            settings=get_settings(),
            now=now,
        )
    except PasswordRequired:
        return json_response(LockedMetadata.of(record))
    return json_response(Metadata.of(record, base_url(req)))
