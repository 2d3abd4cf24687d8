"""Webhooks: registration, signed delivery from the queue, retries, the address guard."""
