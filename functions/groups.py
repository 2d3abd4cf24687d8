"""Groups: create, delete, invite, join, leave, invite info, list (contract "Groups"); remove."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, caller, handle_errors, json_response, path_param, read_body
from functions._schemas.base import Success
from functions._schemas.groups import GroupList, GroupRef, GroupResult, Invite, NewGroup
from shared.accounts import group_deletion, groups
from shared.clock import utcnow

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/create_group", methods=["POST"])
@handle_errors
async def create_group(req: Request) -> Response:
    claims = await caller(req)
    body = await read_body(req, NewGroup)
    group = await groups.create(body.group_name, claims.username, utcnow())
    return json_response(GroupResult.of(group, "created"))


@bp.route(route="api/delete_group/{group_id}", methods=["DELETE"])
@handle_errors
async def delete_group(req: Request) -> Response:
    claims = await caller(req)
    await group_deletion.delete(path_param(req, "group_id"), claims.username, utcnow())
    return json_response(Success(message="deleted"))


@bp.route(route="api/generate_invite/{group_id}", methods=["GET"])
@handle_errors
async def generate_invite(req: Request) -> Response:
    claims = await caller(req)
    code = await groups.new_invite(path_param(req, "group_id"), claims.username)
    return json_response(Invite(message="created", invite_link=f"{base_url(req)}/invite/{code}"))


@bp.route(route="api/join/{invite_link}", methods=["POST"])
@handle_errors
async def join_group(req: Request) -> Response:
    claims = await caller(req)
    group = await groups.join(path_param(req, "invite_link"), claims.username, utcnow())
    return json_response(GroupResult.of(group, "created"))


@bp.route(route="api/leave/{group_id}", methods=["POST"])
@handle_errors
async def leave_group(req: Request) -> Response:
    claims = await caller(req)
    await groups.leave(path_param(req, "group_id"), claims.username)
    return json_response(Success(message="leaved"))


@bp.route(route="api/groups/{group_id}/remove/{username}", methods=["POST"])
@handle_errors
async def remove_member(req: Request) -> Response:
    claims = await caller(req)
    await groups.remove_member(
        path_param(req, "group_id"), claims.username, path_param(req, "username")
    )
    return json_response(Success(message="removed"))


@bp.route(route="api/invite_info/{invite_link}", methods=["GET"])
@handle_errors
async def invite_info(req: Request) -> Response:
    await caller(req)
    group = await groups.by_invite(path_param(req, "invite_link"))
    return json_response(GroupResult.of(group, "Info got successfully"))


@bp.route(route="api/get_groups", methods=["GET"])
@handle_errors
async def get_groups(req: Request) -> Response:
    claims = await caller(req)
    memberships = await groups.groups_of(claims.username)
    return json_response(
        GroupList(
            message="groups got successfully",
            groups=[GroupRef(name=name, group_id=int(group_id)) for name, group_id in memberships],
        )
    )
