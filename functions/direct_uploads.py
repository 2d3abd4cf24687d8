"""POST /api/uploads, GET /api/uploads/{file_url}, POST .../complete: direct-to-Blob uploads."""

from typing import Any

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import (
    base_url,
    handle_errors,
    json_response,
    limit_rate,
    path_param,
    read_json,
)
from functions.upload import upload_response
from shared.clock import iso, utcnow
from shared.config import get_settings
from shared.files import direct_uploads
from shared.files.catalog import file_link
from shared.files.pending_uploads import PendingUpload
from shared.files.records import FileRecord
from shared.storage.staged_blobs import Block

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/uploads", methods=["POST"])
@handle_errors
async def create_upload(req: Request) -> Response:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    grant = await direct_uploads.begin(
        await read_json(req),
        req.headers.get("authorization"),
        settings=settings,
        now=utcnow(),
    )
    return json_response(
        {
            "status": "success",
            "message": "Upload authorised",
            **_describe(grant.upload, grant.upload_url),
            "key": grant.upload.key,
            "synced": grant.identity.username is not None,
            "auth_error": grant.identity.auth_error,
        }
    )


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
        return json_response(
            {
                "status": "success",
                "message": "Upload complete",
                "state": "complete",
                "file_url": status.file_url,
                "file_url_full": file_link(base_url(req), status.file_url),
                "size": status.size,
            }
        )
    return json_response(
        {
            "status": "success",
            "message": "Upload in progress",
            "state": status.upload.state,
            **_describe(status.upload, status.upload_url),
            "committed": _blocks(status.blocks.committed),
            "uncommitted": _blocks(status.blocks.uncommitted),
        }
    )


@bp.route(route="api/uploads/{file_url}/complete", methods=["POST"])
@handle_errors
async def complete_upload(req: Request) -> Response:
    published, identity = await direct_uploads.complete(
        path_param(req, "file_url"),
        req.query_params.get("key"),
        settings=get_settings(),
        now=utcnow(),
    )
    return upload_response(req, published, identity)


def _describe(upload: PendingUpload, upload_url: str) -> dict[str, Any]:
    return {
        "file_url": upload.file_url,
        "user_filename": upload.user_filename,
        "size": upload.size,
        "upload_url": upload_url,
        "block_size": upload.block_size,
        "expires_at": iso(upload.sas_expires_at),
    }


def _blocks(blocks: list[Block]) -> list[dict[str, Any]]:
    return [{"id": block.block_id, "size": block.size} for block in blocks]
