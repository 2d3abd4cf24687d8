"""Writing to the app's queues, with SDK errors translated once."""

from __future__ import annotations

from shared.storage.clients import storage


async def send(queue_name: str, text: str) -> None:
    """Add one message (base64 on the wire, as the queue trigger expects)."""
    client = await storage().queue(queue_name)
    async with storage().call():
        await client.send_message(text)
