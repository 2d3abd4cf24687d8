"""The cloud buffer: /api/buffer (POST, GET, DELETE) and its history, /api/buffer/history."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response, StreamingResponse

from functions._http import base_url, caller, handle_errors, json_response, path_param
from functions._schemas.base import Success
from functions._schemas.buffer import BufferCleared, BufferHistory, BufferItem, BufferStored
from shared.buffer import service
from shared.clock import utcnow
from shared.config import get_settings

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/buffer", methods=["POST"])
@handle_errors
async def post_buffer(req: Request) -> Response:
    claims = await caller(req)
    headers = req.headers
    item = await service.receive(
        claims.username,
        service.Incoming(
            data_type=headers.get("x-data-type"),
            content_type=headers.get("content-type", ""),
            content_length=headers.get("content-length"),
            filename=headers.get("x-filename"),
            disposition=headers.get("content-disposition"),
        ),
        req.stream(),
        settings=get_settings(),
        now=utcnow(),
    )
    return json_response(
        BufferStored(message="Buffer updated", item=BufferItem.of(item, base_url(req)))
    )


@bp.route(route="api/buffer", methods=["GET"])
@handle_errors
async def get_buffer(req: Request) -> Response:
    claims = await caller(req)
    return _stream(await service.current(claims.username, utcnow()))


@bp.route(route="api/buffer", methods=["DELETE"])
@handle_errors
async def delete_buffer(req: Request) -> Response:
    claims = await caller(req)
    removed = await service.clear(claims.username)
    return json_response(BufferCleared(message="Buffer cleared", deleted=removed))


@bp.route(route="api/buffer/history", methods=["GET"])
@handle_errors
async def get_buffer_history(req: Request) -> Response:
    claims = await caller(req)
    items = await service.history(claims.username, utcnow(), limit=get_settings().buffer_history)
    base = base_url(req)
    return json_response(
        BufferHistory(message="buffer history", data=[BufferItem.of(item, base) for item in items])
    )


@bp.route(route="api/buffer/history/{item_id}", methods=["GET"])
@handle_errors
async def get_buffer_item(req: Request) -> Response:
    claims = await caller(req)
    return _stream(await service.item(claims.username, path_param(req, "item_id"), utcnow()))


@bp.route(route="api/buffer/history/{item_id}", methods=["DELETE"])
@handle_errors
async def delete_buffer_item(req: Request) -> Response:
    claims = await caller(req)
    await service.delete_item(claims.username, path_param(req, "item_id"), utcnow())
    return json_response(Success(message="Buffer item deleted"))


def _stream(item: service.BufferItem) -> Response:
    opened = service.open_item(item)
    return StreamingResponse(opened.body, headers=opened.headers)
