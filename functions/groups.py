"""Groups: create, delete, invite, join, leave, invite info, list (contract "Groups")."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, caller, handle_errors, json_response, path_param, read_json
from shared.accounts import group_deletion, groups
from shared.clock import utcnow

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/create_group", methods=["POST"])
@handle_errors
async def create_group(req: Request) -> Response:
    claims = await caller(req)
    name = groups.group_name(await read_json(req))
    group = await groups.create(name, claims.username, utcnow())
    return json_response(
        {
            "status": "success",
            "message": "created",
            "name": group.name,
            "group_id": int(group.group_id),
        }
    )


@bp.route(route="api/delete_group/{group_id}", methods=["DELETE"])
@handle_errors
async def delete_group(req: Request) -> Response:
    claims = await caller(req)
    await group_deletion.delete(path_param(req, "group_id"), claims.username, utcnow())
    return json_response({"status": "success", "message": "deleted"})


@bp.route(route="api/generate_invite/{group_id}", methods=["GET"])
@handle_errors
async def generate_invite(req: Request) -> Response:
    claims = await caller(req)
    code = await groups.new_invite(path_param(req, "group_id"), claims.username)
    return json_response(
        {"status": "success", "message": "created", "invite_link": f"{base_url(req)}/invite/{code}"}
    )


@bp.route(route="api/join/{invite_link}", methods=["POST"])
@handle_errors
async def join_group(req: Request) -> Response:
    claims = await caller(req)
    group = await groups.join(path_param(req, "invite_link"), claims.username, utcnow())
    return _group(group, "created")


@bp.route(route="api/leave/{group_id}", methods=["POST"])
@handle_errors
async def leave_group(req: Request) -> Response:
    claims = await caller(req)
    await groups.leave(path_param(req, "group_id"), claims.username)
    return json_response({"status": "success", "message": "leaved"})


@bp.route(route="api/invite_info/{invite_link}", methods=["GET"])
@handle_errors
async def invite_info(req: Request) -> Response:
    await caller(req)
    group = await groups.by_invite(path_param(req, "invite_link"))
    return _group(group, "Info got successfully")


@bp.route(route="api/get_groups", methods=["GET"])
@handle_errors
async def get_groups(req: Request) -> Response:
    claims = await caller(req)
    memberships = await groups.groups_of(claims.username)
    return json_response(
        {
            "status": "success",
            "message": "groups got successfully",
            "groups": [{"name": name, "group_id": int(group_id)} for name, group_id in memberships],
        }
    )


def _group(group: groups.Group, message: str) -> Response:
    return json_response(
        {
            "status": "success",
            "message": message,
            "name": group.name,
            "group_id": int(group.group_id),
        }
    )
