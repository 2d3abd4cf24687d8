"""Webhooks: a new endpoint, endpoints and their deliveries as answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from functions._schemas.base import Reject, RequestBody, Success, Timestamp
from shared.notifications.deliveries import Delivery
from shared.notifications.endpoints import Endpoint
from shared.notifications.events import SUBSCRIBABLE


class NewWebhook(RequestBody):
    """POST /api/webhooks. `url` and the event names are checked further by the library (public
    destinations, known events)."""

    unparsable = Reject("Couldn't parse request body")

    url: Annotated[
        str, Field(description="http(s) URL of the receiver."), Reject("url is required")
    ]
    events: Annotated[
        list[str] | None,
        Field(description=f"Any of {', '.join(SUBSCRIBABLE)}; absent: all of them."),
        Reject("events must be a non-empty list of event names"),
    ] = None


class WebhookInfo(BaseModel):
    """An endpoint as its owner sees it; never its secret."""

    id: str
    url: str
    events: list[str]
    created_at: Timestamp
    disabled: bool
    disabled_reason: str | None
    disabled_at: Timestamp | None
    consecutive_failures: int

    @classmethod
    def of(cls, endpoint: Endpoint) -> WebhookInfo:
        return cls(
            id=endpoint.endpoint_id,
            url=endpoint.url,
            events=list(endpoint.events),
            created_at=endpoint.created_at,
            disabled=endpoint.disabled,
            disabled_reason=endpoint.disabled_reason,
            disabled_at=endpoint.disabled_at,
            consecutive_failures=endpoint.failures,
        )


class WebhookCreated(Success, WebhookInfo):
    secret: str = Field(description="The signing secret (`whsec_…`): shown only in this answer.")


class WebhookList(Success):
    data: list[WebhookInfo]


class TestQueued(Success):
    event_id: str


class DeliveryInfo(BaseModel):
    event_id: str
    event: str
    status: str
    attempt: int
    http_status: int | None
    error: str | None
    duration_ms: int
    time: Timestamp

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryInfo:
        return cls(
            event_id=delivery.event_id,
            event=delivery.event,
            status=delivery.status,
            attempt=delivery.attempt,
            http_status=delivery.http_status,
            error=delivery.error,
            duration_ms=delivery.duration_ms,
            time=delivery.at,
        )


class DeliveryList(Success):
    data: list[DeliveryInfo]
