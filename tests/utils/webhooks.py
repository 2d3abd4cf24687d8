"""Webhook factories and waits, over the HTTP API."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from tests.utils.accounts import auth, register
from tests.utils.receiver import Received


def add_webhook(
    client: httpx.Client, token: str, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    """Register an endpoint (asserting 200) and return the body: id, secret, url, events, …"""
    body: dict[str, Any] = {"url": url}
    if events is not None:
        body["events"] = events
    response = client.post("/api/webhooks", json=body, headers=auth(token))
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def watched_account(
    client: httpx.Client, url: str, events: list[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """A new account with one endpoint: (its token, the endpoint as created, secret included)."""
    _, token = register(client)
    return token, add_webhook(client, token, url, events)


def deliveries(client: httpx.Client, token: str, webhook_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/webhooks/{webhook_id}/deliveries", headers=auth(token))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found


def wait_for_deliveries(
    client: httpx.Client,
    token: str,
    webhook_id: str,
    *,
    status: str,
    count: int = 1,
    timeout: float = 20,
) -> list[dict[str, Any]]:
    """The endpoint's deliveries once `count` of them have `status` (newest first)."""
    deadline = time.monotonic() + timeout
    while True:
        found = deliveries(client, token, webhook_id)
        if sum(1 for d in found if d["status"] == status) >= count:
            return found
        assert time.monotonic() < deadline, f"no {count} {status!r} deliveries: {found}"
        time.sleep(0.1)


def webhook(client: httpx.Client, token: str, webhook_id: str) -> dict[str, Any]:
    """The endpoint as GET /api/webhooks lists it."""
    response = client.get("/api/webhooks", headers=auth(token))
    assert response.status_code == 200, response.text
    return next(w for w in response.json()["data"] if w["id"] == webhook_id)


def event(received: Received) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(received.body)
    return document
