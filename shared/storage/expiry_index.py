"""The expiry index: what to delete, and when, without ever scanning the files.

Key scheme in the `expiry` table: PartitionKey = the UTC minute the item expires
("YYYYMMDDHHMM"), RowKey = "<kind>:<id>". The sweep asks for PartitionKey <= the current minute: a
range read over the index's sorted keys that returns only what is due, because processed entries
are deleted. Its cost grows with the number of expired items, not with the number stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from azure.core.exceptions import ResourceNotFoundError

from shared.clock import bucket_of
from shared.storage.clients import storage
from shared.storage.names import EXPIRY_TABLE

FILE = "file"
UPLOAD = "upload"  # an upload in progress: its blob is swept if no record ever appears
TOKEN = "token"  # noqa: S105 - an access token's revocation record, not a secret
RATE_WINDOW = "rate"  # a rate-limit counter whose window has passed
BUFFER = "buffer"  # a cloud-buffer item; id "<item_id>:<owner key>"
SCAN = "scan"  # a new upload whose malware verdict cleanup checks until one exists
DIRECT_UPLOAD = "direct"  # a direct-to-Blob upload: swept unless completed by SAS expiry
GROUP = "group"  # a group deletion in progress: finished by cleanup if a crash interrupted it
SHARE = "share"  # a share: at its expiry (or at once, once deleted) it goes with all its files
REVERSE_SHARE = "reverse"  # an upload link; id "<link id>:<owner key>"


@dataclass(frozen=True)
class ExpiryEntry:
    kind: str
    item_id: str
    due_at: datetime
    bucket: str

    @property
    def row_key(self) -> str:
        return f"{self.kind}:{self.item_id}"


def entry_for(kind: str, item_id: str, due_at: datetime) -> ExpiryEntry:
    return ExpiryEntry(kind, item_id, due_at, bucket_of(due_at))


async def add(kind: str, item_id: str, due_at: datetime) -> ExpiryEntry:
    entry = entry_for(kind, item_id, due_at)
    client = await storage().table(EXPIRY_TABLE)
    async with storage().call():
        await client.upsert_entity(
            {"PartitionKey": entry.bucket, "RowKey": entry.row_key, "due_at": due_at}
        )
    return entry


async def remove(entry: ExpiryEntry) -> None:
    client = await storage().table(EXPIRY_TABLE)
    async with storage().call():
        with contextlib.suppress(ResourceNotFoundError):
            await client.delete_entity(entry.bucket, entry.row_key)


async def due(now: datetime) -> AsyncIterator[ExpiryEntry]:
    """Entries whose time has come, oldest bucket first."""
    client = await storage().table(EXPIRY_TABLE)
    pages = client.query_entities(
        "PartitionKey le @bucket", parameters={"bucket": bucket_of(now)}, results_per_page=1000
    ).by_page()
    while True:
        # The deadline covers fetching one page, never the caller's work between entries.
        async with storage().call():
            page = await anext(pages, None)
            rows = None if page is None else [entity async for entity in page]
        if rows is None:
            return
        for entity in rows:
            kind, _, item_id = entity["RowKey"].partition(":")
            due_at = entity["due_at"]
            if due_at <= now:
                yield ExpiryEntry(kind, item_id, due_at, entity["PartitionKey"])
