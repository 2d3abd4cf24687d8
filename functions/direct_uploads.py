"""POST /api/uploads, GET /api/uploads/{file_url}, POST .../complete: direct-to-Blob uploads."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import (
    base_url,
    client_of,
    handle_errors,
    json_response,
    limit_rate,
    path_param,
    read_body,
)
from functions._responses import upload_response
from functions._schemas.reverse import UploadReceipt
from functions._schemas.uploads import (
    DirectUpload,
    UploadComplete,
    UploadDeclaration,
    UploadPending,
)
from shared.clock import utcnow
from shared.config import get_settings
from shared.files import direct_uploads
from shared.files.records import FileRecord
from shared.reverse import direct as reverse_direct

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/uploads", methods=["POST"])
@handle_errors
async def create_upload(req: Request) -> Response:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    declared = await read_body(req, UploadDeclaration)
    grant = await direct_uploads.begin(
        declared.filename,
        declared.size,
        declared.options(),
        req.headers.get("authorization"),
        settings=settings,
        now=utcnow(),
        password=declared.password,
        client=client_of(req),
    )
    return json_response(DirectUpload.of(grant))


@bp.route(route="api/uploads/{file_url}", methods=["GET"])
@handle_errors
async def get_upload(req: Request) -> Response:
    status = await direct_uploads.status(
        path_param(req, "file_url"),
        req.query_params.get("key"),
        settings=get_settings(),
        now=utcnow(),
    )
    if isinstance(status, FileRecord):
        return json_response(UploadComplete.of(status, base_url(req)))
    return json_response(UploadPending.of(status))


@bp.route(route="api/uploads/{file_url}/complete", methods=["POST"])
@handle_errors
async def complete_upload(req: Request) -> Response:
    now = utcnow()
    published, identity = await direct_uploads.complete(
        path_param(req, "file_url"),
        req.query_params.get("key"),
        settings=get_settings(),
        crc32=req.query_params.get("crc32"),
        now=now,
    )
    link_id = published.record.received_via
    if link_id:  # through an upload link: a receipt, never the file's link or key
        return json_response(
            UploadReceipt.of(await reverse_direct.completed(published, link_id, now))
        )
    return upload_response(req, published, identity)
