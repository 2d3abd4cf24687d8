"""Webhooks: an account registers endpoints that are told, signed, about events on its files."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import caller, handle_errors, json_response, path_param, read_body
from functions._schemas.base import Success
from functions._schemas.webhooks import (
    DeliveryInfo,
    DeliveryList,
    NewWebhook,
    TestQueued,
    WebhookCreated,
    WebhookInfo,
    WebhookList,
)
from shared.clock import utcnow
from shared.config import get_settings
from shared.notifications import deliveries, endpoints, notify

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/webhooks", methods=["POST"])
@handle_errors
async def create_webhook(req: Request) -> Response:
    claims = await caller(req)
    body = await read_body(req, NewWebhook)
    endpoint, secret = await endpoints.register(
        claims.username, body.url, body.events, settings=get_settings(), now=utcnow()
    )
    return json_response(
        WebhookCreated(
            message="Webhook created: keep the secret, it is shown only now",
            **WebhookInfo.of(endpoint).model_dump(),
            secret=secret,
        )
    )


@bp.route(route="api/webhooks", methods=["GET"])
@handle_errors
async def list_webhooks(req: Request) -> Response:
    claims = await caller(req)
    found = await endpoints.of_account(claims.username)
    return json_response(WebhookList(message="webhooks", data=[WebhookInfo.of(e) for e in found]))


@bp.route(route="api/webhooks/{webhook_id}", methods=["DELETE"])
@handle_errors
async def delete_webhook(req: Request) -> Response:
    claims = await caller(req)
    await endpoints.remove(claims.username, path_param(req, "webhook_id"))
    return json_response(Success(message="Webhook deleted"))


@bp.route(route="api/webhooks/{webhook_id}/test", methods=["POST"])
@handle_errors
async def test_webhook(req: Request) -> Response:
    claims = await caller(req)
    event_id = await notify.send_test(claims.username, path_param(req, "webhook_id"))
    return json_response(TestQueued(message="Test event queued", event_id=event_id))


@bp.route(route="api/webhooks/{webhook_id}/deliveries", methods=["GET"])
@handle_errors
async def list_webhook_deliveries(req: Request) -> Response:
    claims = await caller(req)
    endpoint = await endpoints.find(claims.username, path_param(req, "webhook_id"))
    found = await deliveries.recent(endpoint.endpoint_id)
    return json_response(
        DeliveryList(message="deliveries", data=[DeliveryInfo.of(d) for d in found])
    )
