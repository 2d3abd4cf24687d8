"""Webhook endpoints in the `webhooks` table: registered, listed, removed, disabled.

Key scheme: PartitionKey = "u:<user key>" (shared/storage/keys.py), RowKey = the endpoint id,
"wh_" + 16 hex digits. One partition query lists an account's endpoints: what GET /api/webhooks
shows, and what the request path reads (cached briefly, shared/notifications/notify.py) to decide
whether an event is queued at all. The signing secret is stored sealed (signing.py), bound to
"<PartitionKey>/<RowKey>". `subscribed` keeps each account's endpoints for CACHE_SECONDS per
process, so a busy account costs one partition query per interval, not one per event; changes
made in this process show at once, changes made on another instance within CACHE_SECONDS.
`failures` counts events in a row that failed every attempt (their
messages were poisoned); WEBHOOK_DISABLE_AFTER_FAILURES of them disable the endpoint, and a
successful delivery (a test event, say) resets the count and enables it again.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shared.config import Settings
from shared.errors import BadRequest, NotFound
from shared.notifications import deliveries, signing
from shared.notifications.destinations import check_url
from shared.notifications.events import SUBSCRIBABLE
from shared.storage import entities, retry
from shared.storage.keys import account_partition
from shared.storage.names import WEBHOOKS_TABLE

logger = logging.getLogger(__name__)

MAX_PER_ACCOUNT = 10
CACHE_SECONDS = 15.0
_CACHE_SIZE = 4096
_ID = re.compile(r"^wh_[0-9a-f]{16}$")
# Partition -> (monotonic time the entry goes stale, the account's endpoints), oldest first.
_cache: OrderedDict[str, tuple[float, tuple[Endpoint, ...]]] = OrderedDict()


class WebhookNotFound(NotFound):
    message = "Webhook not found"


@dataclass(frozen=True)
class Endpoint:
    partition: str
    endpoint_id: str
    url: str
    events: tuple[str, ...]
    sealed_secret: str
    created_at: datetime
    failures: int = 0
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    etag: str = ""

    @property
    def disabled(self) -> bool:
        return self.disabled_reason is not None

    def after_giving_up(self, *, threshold: int, last_error: str, now: datetime) -> Endpoint:
        """One more event failed every attempt; the threshold-th in a row disables it."""
        failures = self.failures + 1
        if self.disabled or failures < threshold:
            return replace(self, failures=failures)
        reason = f"{failures} events in a row failed every delivery attempt (last: {last_error})"
        return replace(self, failures=failures, disabled_reason=reason, disabled_at=now)


def is_endpoint_id(text: str) -> bool:
    return bool(_ID.match(text))


def parse_events(raw: object) -> tuple[str, ...]:
    """The events asked for, in the documented order; absent means all of them."""
    if raw is None:
        return SUBSCRIBABLE
    if not isinstance(raw, list) or not raw or not all(isinstance(e, str) for e in raw):
        raise BadRequest("events must be a non-empty list of event names")
    unknown = sorted(set(raw) - set(SUBSCRIBABLE))
    if unknown:
        raise BadRequest(f"unknown event {unknown[0]!r}; known: {', '.join(SUBSCRIBABLE)}")
    return tuple(event for event in SUBSCRIBABLE if event in raw)


async def register(
    username: str,
    raw_url: str,
    raw_events: list[str] | None,
    *,
    settings: Settings,
    now: datetime,
) -> tuple[Endpoint, str]:
    """A new endpoint and its signing secret (the only time the secret leaves the server)."""
    url = check_url(raw_url, allow_private=settings.webhook_allow_private_destinations)
    events = parse_events(raw_events)
    partition = account_partition(username)
    if len(await entities.partition(WEBHOOKS_TABLE, partition)) >= MAX_PER_ACCOUNT:
        raise BadRequest(f"Too many webhooks: an account has at most {MAX_PER_ACCOUNT}")
    endpoint_id = f"wh_{secrets.token_hex(8)}"
    secret = signing.new_secret()
    sealed = signing.seal(
        secret, jwt_secret=settings.jwt_secret, context=f"{partition}/{endpoint_id}"
    )
    endpoint = Endpoint(partition, endpoint_id, url, events, sealed, now)
    if not await entities.insert(WEBHOOKS_TABLE, _to_entity(endpoint)):
        raise RuntimeError("webhook id collision")  # 64 random bits: never
    _forget(partition)
    return endpoint, secret


async def of_account(username: str) -> list[Endpoint]:
    return await of_partition(account_partition(username))


async def of_partition(partition: str) -> list[Endpoint]:
    """An account's endpoints, by its partition (one partition query)."""
    return [_from_entity(row) for row in await entities.partition(WEBHOOKS_TABLE, partition)]


async def subscribed(username: str, event_type: str) -> list[Endpoint]:
    """The account's enabled endpoints that want `event_type` (cached, see above)."""
    partition = account_partition(username)
    cached = _cache.get(partition)
    if cached is not None and cached[0] > time.monotonic():
        found = cached[1]
    else:
        found = tuple(await of_partition(partition))
        _cache[partition] = (time.monotonic() + CACHE_SECONDS, found)
        _cache.move_to_end(partition)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return [e for e in found if not e.disabled and event_type in e.events]


def _forget(partition: str) -> None:
    _cache.pop(partition, None)


async def get(partition: str, endpoint_id: str) -> Endpoint | None:
    row = await entities.get(WEBHOOKS_TABLE, partition, endpoint_id)
    return None if row is None else _from_entity(row)


async def find(username: str, endpoint_id: str) -> Endpoint:
    """The caller's endpoint; anyone else's, or none, is 404 alike."""
    found = None
    if is_endpoint_id(endpoint_id):
        found = await get(account_partition(username), endpoint_id)
    if found is None:
        raise WebhookNotFound()
    return found


async def remove(username: str, endpoint_id: str) -> None:
    """Delete the endpoint (no event is sent to it from now on), then its delivery history."""
    endpoint = await find(username, endpoint_id)
    await entities.delete(WEBHOOKS_TABLE, endpoint.partition, endpoint.endpoint_id)
    _forget(endpoint.partition)
    await deliveries.forget(endpoint.endpoint_id)


def secret_of(endpoint: Endpoint, *, settings: Settings) -> str | None:
    """The signing secret, or None when JWT_SECRET changed since it was sealed."""
    return signing.unseal(
        endpoint.sealed_secret,
        jwt_secret=settings.jwt_secret,
        context=f"{endpoint.partition}/{endpoint.endpoint_id}",
    )


async def delivered(endpoint: Endpoint) -> None:
    """A delivery succeeded: the failure count starts again, and a disabled endpoint is enabled."""
    if endpoint.failures or endpoint.disabled:
        await _change(endpoint, lambda e: replace(e, failures=0, disabled_reason=None))


async def gave_up(endpoint: Endpoint, *, threshold: int, last_error: str, now: datetime) -> None:
    """An event failed every attempt: count it, and disable the endpoint at the threshold."""
    changed = await _change(
        endpoint, lambda e: e.after_giving_up(threshold=threshold, last_error=last_error, now=now)
    )
    if changed is not None and changed.disabled and not endpoint.disabled:
        logger.warning("webhook %s disabled: %s", endpoint.endpoint_id, changed.disabled_reason)


async def disable(endpoint: Endpoint, reason: str, now: datetime) -> None:
    await _change(endpoint, lambda e: replace(e, disabled_reason=reason, disabled_at=now))


async def _change(endpoint: Endpoint, change: Callable[[Endpoint], Endpoint]) -> Endpoint | None:
    """Apply `change` to the row, re-reading it after a lost ETag race; None if it is gone."""
    current: Endpoint | None = endpoint
    async for _ in retry.Attempts(what="updating a webhook"):
        if current is None:
            return None
        wanted: Endpoint = change(current)
        entity: dict[str, Any] = {
            "PartitionKey": current.partition,
            "RowKey": current.endpoint_id,
            "failures": wanted.failures,
            "disabled_reason": wanted.disabled_reason or "",
        }
        if wanted.disabled_at is not None:
            entity["disabled_at"] = wanted.disabled_at
        if await entities.update(WEBHOOKS_TABLE, entity, etag=current.etag) is not None:
            _forget(current.partition)
            return wanted
        current = await get(endpoint.partition, endpoint.endpoint_id)
    return None


def _to_entity(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "PartitionKey": endpoint.partition,
        "RowKey": endpoint.endpoint_id,
        "url": endpoint.url,
        "events": ",".join(endpoint.events),
        "secret": endpoint.sealed_secret,
        "created_at": endpoint.created_at,
        "failures": endpoint.failures,
        "disabled_reason": endpoint.disabled_reason or "",
    }


def _from_entity(row: dict[str, Any]) -> Endpoint:
    return Endpoint(
        partition=row["PartitionKey"],
        endpoint_id=row["RowKey"],
        url=row["url"],
        events=tuple(event for event in row.get("events", "").split(",") if event),
        sealed_secret=row["secret"],
        created_at=row["created_at"],
        failures=int(row.get("failures") or 0),
        disabled_reason=row.get("disabled_reason") or None,
        disabled_at=row.get("disabled_at"),
        etag=row["etag"],
    )
