"""Files in accounts and groups: GET /api/get_files/{group_id}, POST /api/transfer."""

from typing import Any

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, caller, handle_errors, json_response, path_param, read_json
from shared.accounts import file_rights, groups, listing
from shared.accounts import transfer as account_transfer
from shared.clock import iso, utcnow
from shared.config import get_settings
from shared.errors import BadRequest
from shared.files import catalog
from shared.storage import keys

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/get_files/{group_id}", methods=["GET"])
@handle_errors
async def get_files(req: Request) -> Response:
    claims = await caller(req)
    group_id = path_param(req, "group_id")
    if group_id == "private":
        partition, is_owner = keys.account_partition(claims.username), False
    else:
        group = await groups.require_member(group_id, claims.username)
        partition, is_owner = (
            listing.group_partition(group.group_id),
            group.is_owner(claims.username),
        )
    entries = await listing.files_in(partition, utcnow())
    if group_id != "private":  # a group's listing: each member sees only their own keys
        for entry in entries:
            entry["key"] = await file_rights.visible_key(entry, claims.username)
    base = base_url(req)
    return json_response(
        {
            "status": "success",
            "message": "files got successfully",
            "username": claims.username,
            "is_group_owner": is_owner,
            "data": [_entry(entry, base) for entry in entries],
        }
    )


@bp.route(route="api/transfer", methods=["POST"])
@handle_errors
async def transfer(req: Request) -> Response:
    claims = await caller(req)
    body = await read_json(req)
    if not isinstance(body, dict):
        raise BadRequest("Couldn't parse request body")
    if "data" not in body:
        raise BadRequest("No data field in request body")
    failed = await account_transfer.transfer(
        body["data"], claims.username, max_files=get_settings().max_files_per_user, now=utcnow()
    )
    return json_response({"status": "success", "message": "transferred", "unsuccess": failed})


def _entry(entry: dict[str, Any], base: str) -> dict[str, Any]:
    created = entry["created_at"]
    return {
        "file_url": entry["file_url"],
        "file_url_full": catalog.file_link(base, entry["file_url"]),
        "key": entry["key"],
        "ext": entry["ext"],
        "user_filename": entry["user_filename"],
        "creation_date": f"{created.day}.{created.month}.{created.year}",
        "synced": True,
        "size": entry["size"],
        "expires_at": iso(entry["expires_at"]),
    }
