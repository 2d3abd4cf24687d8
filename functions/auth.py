"""Accounts: POST /api/register, /api/login, /api/refresh_token, /api/logout (contract 1.2)."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import caller, handle_errors, json_response, limit_rate, read_body
from functions._schemas.accounts import (
    Credentials,
    NewCredentials,
    NewToken,
    RefreshRequest,
    Session,
)
from functions._schemas.base import Success
from shared.accounts import users
from shared.clock import utcnow
from shared.config import get_settings
from shared.http.params import is_true

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/register", methods=["POST"])
@handle_errors
async def register(req: Request) -> Response:
    return await _sign_in(req, "register", NewCredentials, users.register)


@bp.route(route="api/login", methods=["POST"])
@handle_errors
async def login(req: Request) -> Response:
    return await _sign_in(req, "login", Credentials, users.login)


@bp.route(route="api/refresh_token", methods=["POST"])
@handle_errors
async def refresh_token(req: Request) -> Response:
    await limit_rate(req, "refresh_token", get_settings().auth_rate_limit_per_minute)
    body = await read_body(req, RefreshRequest)
    new_token = await users.refresh(body.access_token, settings=get_settings(), now=utcnow())
    return json_response(NewToken(message="token refreshed", accessToken=new_token))


@bp.route(route="api/logout", methods=["POST"])
@handle_errors
async def logout(req: Request) -> Response:
    await limit_rate(req, "logout", get_settings().auth_rate_limit_per_minute)
    await users.logout(await caller(req))
    return json_response(Success(message="logged out"))


async def _sign_in(
    req: Request, scope: str, body: type[Credentials], action: users.SignIn
) -> Response:
    """Register and login share their answer; each has its own rate-limit bucket (the contract's
    10 per minute is per endpoint), and their bodies' rules and action differ."""
    await limit_rate(req, scope, get_settings().auth_rate_limit_per_minute)
    given = await read_body(req, body)
    bot = is_true(req.query_params.get("bot"))
    session = await action(
        given.username, given.password, bot=bot, settings=get_settings(), now=utcnow()
    )
    return json_response(
        Session(
            accessToken=session.access_token,
            username=session.username,
            message="logged in with password",
        )
    )
