"""Where events happen: queue them for the account's webhooks, never waiting on a receiver.

An event becomes one queue message per enabled endpoint subscribed to it, and nothing at all when
there is none (the common case, answered from endpoints.subscribed's cache). A notification never
fails the operation that caused it: the file was already downloaded or deleted, so a storage
error here is logged, not raised.

A download queues in the background (`file_downloaded` returns at once): its bytes are sent
already, and the next request on the same connection should not wait for a queue write. The
event is lost only if the process dies in the milliseconds before the write; from the queue on,
delivery is at least once. Timer and delete events are queued before the function returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from shared.clock import utcnow
from shared.files.records import FileRecord
from shared.notifications import endpoints, events
from shared.notifications.events import Event, Message
from shared.storage import queues
from shared.storage.keys import account_partition
from shared.storage.names import WEBHOOK_QUEUE

logger = logging.getLogger(__name__)

_background: set[asyncio.Task[None]] = set()


def file_downloaded(record: FileRecord) -> None:
    """A counted download completed (`record` counts it); file.consumed too if it was the last."""
    if not record.owner:
        return
    happened = [events.file_downloaded(record)]
    if record.downloads_left == 0:
        happened.append(events.file_consumed(record))
    _soon(_emit(record.owner, happened))


async def file_expired(record: FileRecord) -> None:
    """The cleanup timer deleted an expired file."""
    await _emit(record.owner, [events.file_expired(record)])


async def file_deleted(record: FileRecord) -> None:
    """The owner deleted a file with its key."""
    await _emit(record.owner, [events.file_deleted(record)])


async def emit(owner: str | None, event: Event) -> None:
    """Any other event (shares, when they arrive), queued before returning."""
    await _emit(owner, [event])


async def send_test(username: str, endpoint_id: str) -> str:
    """Queue a webhook.test event for one endpoint, even a disabled one; its event id.

    Unlike the events above this is the request's whole purpose, so a storage error is raised.
    """
    endpoint = await endpoints.find(username, endpoint_id)
    message = Message.new(
        endpoint.partition, endpoint.endpoint_id, events.webhook_test(endpoint_id), utcnow()
    )
    await queues.send(WEBHOOK_QUEUE, message.encode())
    return message.event_id


async def drain() -> None:
    """Wait for background notifications (a local host does before it closes storage)."""
    while _background:
        await asyncio.gather(*_background, return_exceptions=True)


async def _emit(owner: str | None, happened: list[Event]) -> None:
    if not owner:
        return
    try:
        now = utcnow()
        partition = account_partition(owner)
        messages = [
            Message.new(partition, endpoint.endpoint_id, event, now)
            for event in happened
            for endpoint in await endpoints.subscribed(owner, event.type)
        ]
        await asyncio.gather(*(queues.send(WEBHOOK_QUEUE, m.encode()) for m in messages))
    except Exception:
        logger.exception("queueing %s failed", ", ".join(e.type for e in happened))


def _soon(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(work)
    _background.add(task)
    task.add_done_callback(_background.discard)
