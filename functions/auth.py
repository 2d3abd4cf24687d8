"""Accounts: POST /api/register, /api/login, /api/refresh_token, /api/logout (contract 1.2)."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import caller, handle_errors, json_response, limit_rate, read_json
from shared.accounts import users
from shared.clock import utcnow
from shared.config import get_settings
from shared.http.params import is_true

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/register", methods=["POST"])
@handle_errors
async def register(req: Request) -> Response:
    return await _sign_in(req, users.register)


@bp.route(route="api/login", methods=["POST"])
@handle_errors
async def login(req: Request) -> Response:
    return await _sign_in(req, users.login)


@bp.route(route="api/refresh_token", methods=["POST"])
@handle_errors
async def refresh_token(req: Request) -> Response:
    await limit_rate(req, "auth", get_settings().auth_rate_limit_per_minute)
    body = await read_json(req)
    token = body.get("accessToken") if isinstance(body, dict) else None
    new_token = await users.refresh(token, settings=get_settings(), now=utcnow())
    return json_response(
        {"status": "success", "message": "token refreshed", "accessToken": new_token}
    )


@bp.route(route="api/logout", methods=["POST"])
@handle_errors
async def logout(req: Request) -> Response:
    await limit_rate(req, "auth", get_settings().auth_rate_limit_per_minute)
    await users.logout(await caller(req))
    return json_response({"status": "success", "message": "logged out"})


async def _sign_in(req: Request, action: users.SignIn) -> Response:
    """Register and login share their body, limits and answer; only the action differs."""
    await limit_rate(req, "auth", get_settings().auth_rate_limit_per_minute)
    username, password = users.credentials(await read_json(req))
    bot = is_true(req.query_params.get("bot"))
    session = await action(username, password, bot=bot, settings=get_settings(), now=utcnow())
    return json_response(
        {
            "status": "success",
            "accessToken": session.access_token,
            "username": session.username,
            "message": "logged in with password",
        }
    )
