"""The expiry index: what to delete, and when, without ever scanning the files.

Key scheme in the `expiry` table: PartitionKey = "<shard>-<minute>", the shard two hex digits of
a hash of the RowKey (one of SHARDS) and the minute the UTC minute the item is due
("YYYYMMDDHHMM"); RowKey = "<kind>:<id>". All the items due in one minute (every upload of a busy
minute has its `upload` entry due 15 minutes later) spread over SHARDS partitions instead of one
(docs/scale.md). The sweep reads, per shard, PartitionKey from "<shard>-" up to "<shard>-<current
minute>", plus the unsharded minutes of entries written before the shards ("YYYYMMDDHHMM"): range
reads over sorted keys that return only what is due, because processed entries are deleted. Its
cost grows with the number of expired items, not with the number stored.
"""

from __future__ import annotations

import contextlib
import zlib
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

# At most 16: a shard is two hex digits starting with 0, which keeps every sharded key below the
# unsharded minutes ("2026...") that `due` still reads.
SHARDS = 16
_PAGE = 1000


@dataclass(frozen=True)
class ExpiryEntry:
    kind: str
    item_id: str
    due_at: datetime
    bucket: str
    # An `upload` entry's note of the `file` entry written with it, so that cleanup of an upload
    # that never published drops that one too.
    file_due: datetime | None = None

    @property
    def row_key(self) -> str:
        return f"{self.kind}:{self.item_id}"


def partition_of(row_key: str, due_at: datetime) -> str:
    """The entry's PartitionKey: its shard, then its minute."""
    return f"{zlib.crc32(row_key.encode()) % SHARDS:02x}-{bucket_of(due_at)}"


def entry_for(kind: str, item_id: str, due_at: datetime) -> ExpiryEntry:
    return ExpiryEntry(kind, item_id, due_at, partition_of(f"{kind}:{item_id}", due_at))


async def add(
    kind: str, item_id: str, due_at: datetime, *, file_due: datetime | None = None
) -> ExpiryEntry:
    entry = ExpiryEntry(kind, item_id, due_at, partition_of(f"{kind}:{item_id}", due_at), file_due)
    row: dict[str, object] = {"PartitionKey": entry.bucket, "RowKey": entry.row_key}
    row["due_at"] = due_at
    if file_due is not None:
        row["file_due"] = file_due
    client = await storage().table(EXPIRY_TABLE)
    async with storage().call():
        await client.upsert_entity(row)
    return entry


async def remove(entry: ExpiryEntry) -> None:
    client = await storage().table(EXPIRY_TABLE)
    async with storage().call():
        with contextlib.suppress(ResourceNotFoundError):
            await client.delete_entity(entry.bucket, entry.row_key)


def _ranges(now: datetime) -> list[tuple[str, dict[str, str]]]:
    """One key range per shard, then the unsharded minutes (they start with a year's digit)."""
    minute = bucket_of(now)
    ranges = [
        (
            "PartitionKey ge @low and PartitionKey le @high",
            {"low": f"{shard:02x}-", "high": f"{shard:02x}-{minute}"},
        )
        for shard in range(SHARDS)
    ]
    ranges.append(("PartitionKey ge @low and PartitionKey le @high", {"low": "1", "high": minute}))
    return ranges


async def due(now: datetime) -> AsyncIterator[ExpiryEntry]:
    """Entries whose time has come: a page of each shard in turn, oldest minute first in each, so
    a run that stops early (cleanup's bounds) has taken the oldest of every shard."""
    client = await storage().table(EXPIRY_TABLE)
    pagers = [
        client.query_entities(query, parameters=bounds, results_per_page=_PAGE).by_page()
        for query, bounds in _ranges(now)
    ]
    while pagers:
        for pages in list(pagers):
            # The deadline covers fetching one page, never the caller's work between entries.
            async with storage().call():
                page = await anext(pages, None)
                rows = None if page is None else [entity async for entity in page]
            if rows is None:
                pagers.remove(pages)
                continue
            for entity in rows:
                kind, _, item_id = entity["RowKey"].partition(":")
                due_at = entity["due_at"]
                if due_at <= now:
                    yield ExpiryEntry(
                        kind, item_id, due_at, entity["PartitionKey"], entity.get("file_due")
                    )
