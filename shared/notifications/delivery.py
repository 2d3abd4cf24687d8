"""The queue-triggered side: deliver one message, or record that it was given up.

`deliver` raises DeliveryFailed when the receiver did not answer 2xx in time, so the Functions
host retries the message after host.json's visibilityTimeout, maxDequeueCount times, and then
moves it to the poison queue, whose trigger calls `give_up`. Nothing here logs a receiver's URL
(its path may be a secret) or the signing secret.
"""

from __future__ import annotations

import logging
from datetime import datetime

from shared.config import Settings
from shared.notifications import deliveries, endpoints, sender, signing
from shared.notifications.deliveries import Delivery
from shared.notifications.events import WEBHOOK_TEST, Message

logger = logging.getLogger(__name__)

_UNREADABLE = (
    "its signing secret can no longer be read (JWT_SECRET changed): delete it and add it again"
)


class DeliveryFailed(Exception):
    """This attempt failed; raised so the host retries the message."""


async def deliver(raw: str | bytes, *, attempt: int, settings: Settings, now: datetime) -> None:
    message = Message.decode(raw)
    if message is None:
        logger.error("dropping a webhook message this version cannot read")
        return
    endpoint = await endpoints.get(message.partition, message.endpoint_id)
    if endpoint is None or (endpoint.disabled and message.event != WEBHOOK_TEST):
        logger.info("event %s not sent: its webhook is gone or disabled", message.event_id)
        return
    secret = endpoints.secret_of(endpoint, settings=settings)
    if secret is None:
        await endpoints.disable(endpoint, _UNREADABLE, now)
        return
    headers = signing.signature_headers(
        secret, message_id=message.event_id, now=now, body=message.body
    )
    outcome = await sender.post(
        endpoint.url,
        message.body,
        headers,
        allow_private=settings.webhook_allow_private_destinations,
        timeout_seconds=settings.webhook_timeout_seconds,
    )
    if outcome.ok:  # the endpoint first, as in give_up
        await endpoints.delivered(endpoint)
    status = deliveries.DELIVERED if outcome.ok else deliveries.ERROR
    await deliveries.record(
        endpoint.endpoint_id,
        Delivery(
            message.event_id,
            message.event,
            status,
            now,
            attempt=attempt,
            http_status=outcome.http_status,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        ),
    )
    if not outcome.ok:
        raise DeliveryFailed(
            f"event {message.event_id} to webhook {endpoint.endpoint_id}, attempt {attempt}: "
            f"{outcome.error}"
        )


async def give_up(raw: str | bytes, *, settings: Settings, now: datetime) -> None:
    """Every attempt failed: show it as `failed` and count it towards disabling the endpoint."""
    message = Message.decode(raw)
    if message is None:
        return
    endpoint = await endpoints.get(message.partition, message.endpoint_id)
    if endpoint is None:
        return
    recent = await deliveries.recent(endpoint.endpoint_id, limit=deliveries.HISTORY)
    last = next((d for d in recent if d.event_id == message.event_id), None)
    last_error = (last.error if last else None) or "no attempt was recorded"
    # The endpoint first: once `failed` shows, so does whatever it did to the endpoint.
    await endpoints.gave_up(
        endpoint, threshold=settings.webhook_disable_after_failures, last_error=last_error, now=now
    )
    await deliveries.record(
        endpoint.endpoint_id,
        Delivery(
            message.event_id,
            message.event,
            deliveries.FAILED,
            now,
            attempt=last.attempt if last else 0,
            http_status=last.http_status if last else None,
            error=f"gave up after {last.attempt if last else 0} attempts: {last_error}",
        ),
    )
