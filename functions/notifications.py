"""Webhook delivery: queue triggers over the `webhooks` queue and its poison queue.

The host's queue settings (host.json `extensions.queues`) decide the retries: a delivery that
raises is retried after `visibilityTimeout`, and after `maxDequeueCount` attempts the message
moves to "webhooks-poison", where `webhook_gave_up` records the failure for the endpoint's owner.
"""

import azure.functions as func

from shared.clock import utcnow
from shared.config import get_settings
from shared.notifications import delivery
from shared.storage.names import WEBHOOK_POISON_QUEUE, WEBHOOK_QUEUE

bp = func.Blueprint()


@bp.function_name("deliver_webhook")
@bp.queue_trigger(arg_name="message", queue_name=WEBHOOK_QUEUE, connection="AzureWebJobsStorage")
async def deliver_webhook(message: func.QueueMessage) -> None:
    await delivery.deliver(
        message.get_body(),
        attempt=message.dequeue_count or 1,
        settings=get_settings(),
        now=utcnow(),
    )


@bp.function_name("webhook_gave_up")
@bp.queue_trigger(
    arg_name="message", queue_name=WEBHOOK_POISON_QUEUE, connection="AzureWebJobsStorage"
)
async def webhook_gave_up(message: func.QueueMessage) -> None:
    await delivery.give_up(message.get_body(), settings=get_settings(), now=utcnow())
