"""Files in accounts and groups: GET /api/get_files/{group_id}, POST /api/transfer."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, caller, handle_errors, json_response, path_param, read_body
from functions._schemas.accounts import (
    FileEntry,
    FileList,
    TransferItem,
    TransferRequest,
    TransferResult,
)
from shared.accounts import listing
from shared.accounts.transfer import bind_anonymous
from shared.clock import utcnow
from shared.config import get_settings

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/get_files/{group_id}", methods=["GET"])
@handle_errors
async def get_files(req: Request) -> Response:
    claims = await caller(req)
    shown = await listing.visible_to(claims.username, path_param(req, "group_id"), utcnow())
    base = base_url(req)
    return json_response(
        FileList(
            message="files got successfully",
            username=claims.username,
            is_group_owner=shown.is_owner,
            data=[FileEntry.of(entry, base) for entry in shown.entries],
        )
    )


@bp.route(route="api/transfer", methods=["POST"])
@handle_errors
async def transfer(req: Request) -> Response:
    claims = await caller(req)
    items = (await read_body(req, TransferRequest)).data
    bound = await bind_anonymous(
        [(i.file_url, i.key) if isinstance(i, TransferItem) else None for i in items],
        claims.username,
        max_files=get_settings().max_files_per_user,
        now=utcnow(),
    )
    failed = [item for item, ok in zip(items, bound, strict=True) if not ok]
    return json_response(TransferResult(message="transferred", unsuccess=failed))
