"""Queue triggers run as `func start` runs them: poll, invoke, delete, retry, poison.

An adapter, not a delivery mechanism: it reads the queue named by each queue-triggered function
with the connection its `connection` app setting names, and follows host.json's
`extensions.queues` (overridable by app settings, devhost/host_json.py):

- up to `batchSize` messages are fetched at a time, and more once no more than
  `newBatchThreshold` are still running; each is hidden for ten minutes while its function runs;
- `messageEncoding` `base64` (the default) decodes the text before the function sees it;
- the function returns: the message is deleted. It raises: the message becomes visible again after
  `visibilityTimeout`, unless this was attempt `maxDequeueCount`; then it is copied to
  "<queue>-poison" and deleted;
- an empty queue is polled again after 100 ms, doubling up to `maxPollingInterval`.

A function is left alone when the app setting `AzureWebJobs.<name>.Disabled` is true, as by the
host. Unlike the host, the ten-minute hiding is not renewed (no function here runs that long).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import inspect
import logging
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.queue import QueueMessage as TriggerMessage
from azure.storage.queue import QueueMessage
from azure.storage.queue.aio import QueueClient, QueueServiceClient

from devhost import host_json

logger = logging.getLogger(__name__)

_HIDDEN_WHILE_RUNNING = 600
_MIN_POLL = 0.1
_TRUE = {"1", "true", "yes"}


@dataclass(frozen=True)
class QueueOptions:
    batch_size: int = 16
    new_batch_threshold: int = 8
    max_polling_interval: float = 60.0
    visibility_timeout: float = 0.0
    max_dequeue_count: int = 5
    message_encoding: str = "base64"

    @classmethod
    def from_host_config(cls, config: Mapping[str, Any]) -> QueueOptions:
        """host.json's `extensions.queues`, with the host's defaults for what it leaves out."""
        queues = host_json.section(config, "extensions", "queues")
        batch = min(int(host_json.value(queues, "batchSize", 16)), 32)
        return cls(
            batch_size=batch,
            new_batch_threshold=int(host_json.value(queues, "newBatchThreshold", batch // 2)),
            max_polling_interval=host_json.seconds(
                host_json.value(queues, "maxPollingInterval", "00:01:00")
            ),
            visibility_timeout=host_json.seconds(
                host_json.value(queues, "visibilityTimeout", "00:00:00")
            ),
            max_dequeue_count=int(host_json.value(queues, "maxDequeueCount", 5)),
            message_encoding=str(host_json.value(queues, "messageEncoding", "base64")).lower(),
        )


def trigger_message(**fields: Any) -> TriggerMessage:
    """The trigger argument the Python worker builds from the host's message metadata."""
    return TriggerMessage(**fields)  # type: ignore[no-untyped-call]


def is_disabled(name: str, env: Mapping[str, str]) -> bool:
    return env.get(f"AzureWebJobs.{name}.Disabled", "").strip().lower() in _TRUE


class QueueListener:
    """Runs one queue-triggered function over its queue until cancelled."""

    def __init__(self, function: Any, options: QueueOptions, connection_string: str) -> None:
        trigger = function.get_trigger()
        self.name = str(function.get_function_name())
        self.queue_name = str(trigger.queue_name)
        self.source = f"queue {self.queue_name}"
        self._arg_name = str(trigger.name)
        self._user_function = function.get_user_function()
        self._options = options
        self._connection_string = connection_string

    async def run(self) -> None:
        service = QueueServiceClient.from_connection_string(self._connection_string)
        async with service:
            queue = service.get_queue_client(self.queue_name)
            poison = service.get_queue_client(f"{self.queue_name}-poison")
            await self._poll(queue, poison)

    async def _poll(self, queue: QueueClient, poison: QueueClient) -> None:
        running: set[asyncio.Task[None]] = set()
        delay = _MIN_POLL
        try:
            while True:
                if len(running) > self._options.new_batch_threshold:
                    await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    batch = [m async for m in _receive(queue, self._options.batch_size)]
                except ResourceNotFoundError:
                    await _create(queue)
                    continue
                except AzureError as exc:
                    logger.warning("%s: polling %s failed: %s", self.name, self.queue_name, exc)
                    batch = []
                    delay = self._options.max_polling_interval
                for message in batch:
                    task = asyncio.create_task(self._process(queue, poison, message))
                    running.add(task)
                    task.add_done_callback(running.discard)
                if batch:
                    delay = _MIN_POLL
                    continue
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._options.max_polling_interval)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _process(
        self, queue: QueueClient, poison: QueueClient, message: QueueMessage
    ) -> None:
        try:
            await self._invoke(message)
        except asyncio.CancelledError:
            raise  # stopping: the message reappears when its hiding ends, as after a crash
        except Exception as exc:
            await self._failed(queue, poison, message, exc)
            return
        with contextlib.suppress(AzureError):
            await queue.delete_message(message)

    async def _invoke(self, message: QueueMessage) -> None:
        text = str(message.content)
        if self._options.message_encoding == "base64":
            body = base64.b64decode(text, validate=True)
        else:
            body = text.encode()
        argument = trigger_message(
            id=message.id,
            body=body,
            dequeue_count=message.dequeue_count,
            expiration_time=message.expires_on,
            insertion_time=message.inserted_on,
            time_next_visible=message.next_visible_on,
            pop_receipt=message.pop_receipt,
        )
        result = self._user_function(**{self._arg_name: argument})
        if inspect.isawaitable(result):
            await result

    async def _failed(
        self, queue: QueueClient, poison: QueueClient, message: QueueMessage, exc: Exception
    ) -> None:
        attempts = message.dequeue_count or 1
        limit = self._options.max_dequeue_count
        reason = "message is not base64" if isinstance(exc, binascii.Error) else str(exc)
        logger.warning("%s failed (attempt %d of %d): %s", self.name, attempts, limit, reason)
        try:
            if attempts >= limit:
                await _create(poison)
                await poison.send_message(message.content)
                await queue.delete_message(message)
                logger.warning(
                    "%s: message %s moved to %s", self.name, message.id, poison.queue_name
                )
            else:
                await queue.update_message(
                    message, visibility_timeout=round(self._options.visibility_timeout)
                )
        except AzureError as error:
            logger.warning("%s: could not release message %s: %s", self.name, message.id, error)


async def _receive(queue: QueueClient, count: int) -> AsyncIterator[QueueMessage]:
    pages = queue.receive_messages(
        messages_per_page=count, max_messages=count, visibility_timeout=_HIDDEN_WHILE_RUNNING
    )
    async for message in pages:
        yield message


async def _create(queue: QueueClient) -> None:
    try:
        await queue.create_queue()
    except ResourceExistsError:
        pass
    except AzureError as exc:
        logger.warning("creating queue %s failed: %s", queue.queue_name, exc)
        await asyncio.sleep(1)


def listeners(
    functions: list[Any], config: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> list[QueueListener]:
    """A listener for each enabled queue trigger whose connection names a connection string."""
    env = os.environ if env is None else env
    options = QueueOptions.from_host_config(config)
    found = []
    for function in functions:
        trigger = function.get_trigger()
        if trigger is None or trigger.get_binding_name() != "queueTrigger":
            continue
        name = str(function.get_function_name())
        connection = env.get(str(trigger.connection), "")
        if is_disabled(name, env):
            logger.info("%s: disabled by AzureWebJobs.%s.Disabled", name, name)
        elif "=" not in connection:
            logger.warning("%s: not run, %s holds no connection string", name, trigger.connection)
        else:
            found.append(QueueListener(function, options, connection))
    return found
