"""POST /api/upload/{group_id} (multipart, as the contract) and PUT .../{filename} (raw body)."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import handle_errors, limit_rate, path_param
from functions._responses import upload_response
from shared.accounts.auth import Identity
from shared.clock import utcnow
from shared.config import get_settings
from shared.files import uploads

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/upload/{group_id}", methods=["POST"])
@handle_errors
async def upload_file(req: Request) -> Response:
    owner, identity = await _accept(req)
    published = await uploads.receive_multipart(
        req.headers.get("content-type", ""),
        req.headers.get("content-length"),
        req.stream(),
        query=req.query_params,
        owner=owner,
        settings=get_settings(),
        now=utcnow(),
    )
    return await _answer(req, published, identity)


@bp.route(route="api/upload/{group_id}/{filename}", methods=["PUT"])
@handle_errors
async def upload_raw(req: Request) -> Response:
    owner, identity = await _accept(req)
    published = await uploads.receive_raw(
        path_param(req, "filename"),
        req.headers.get("content-length"),
        req.stream(),
        query=req.query_params,
        owner=owner,
        settings=get_settings(),
        now=utcnow(),
    )
    return await _answer(req, published, identity)


async def _answer(req: Request, published: uploads.Published, identity: Identity) -> Response:
    """The answer, acknowledged last: a crash before then leaves a file nobody received the link
    to, which cleanup deletes (shared/files/uploads.py)."""
    response = upload_response(req, published, identity)
    await uploads.acknowledge(published)
    return response


async def _accept(req: Request) -> tuple[uploads.Owner, Identity]:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    return await uploads.resolve_owner(
        path_param(req, "group_id"),
        req.headers.get("authorization"),
        settings=settings,
        now=utcnow(),
    )
