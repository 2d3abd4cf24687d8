"""How many private files an account holds, as an upper bound kept without reading the files.

Key scheme in the `filecounts` table: PartitionKey = "u:<user key>" (shared/storage/keys.py),
RowKey = "private"; `count` is an upper bound on the account's live private files. Everything that
adds a file to an account adds one with an ETag-conditional update, so concurrent uploads on any
number of instances never lose an increment. Deletion, expiry and one-time downloads leave it
alone: the bound only drifts upwards, and shared/files/limit.py resets it from the listing when it
matters. An account without a row (files from before counting began) starts at UNKNOWN, which is
above any limit, so its first counted upload resets it from the listing.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.storage import entities, retry
from shared.storage.keys import account_partition
from shared.storage.names import FILE_COUNTS_TABLE

UNKNOWN = 2**31 - 1  # the largest value a plain Int32 table property holds
_ROW = "private"


@dataclass(frozen=True)
class Count:
    value: int
    etag: str | None  # None: there is no row yet


async def read(username: str) -> Count:
    row = await entities.get(FILE_COUNTS_TABLE, account_partition(username), _ROW)
    return Count(UNKNOWN, None) if row is None else Count(int(row["count"]), str(row["etag"]))


async def write(username: str, value: int, *, expected: Count) -> bool:
    """Set the count unless it changed since `expected` was read; False if it did."""
    entity = {
        "PartitionKey": account_partition(username),
        "RowKey": _ROW,
        "count": min(value, UNKNOWN),
    }
    if expected.etag is None:
        return await entities.insert(FILE_COUNTS_TABLE, entity)
    return await entities.update(FILE_COUNTS_TABLE, entity, etag=expected.etag) is not None


async def add_one(username: str) -> int:
    """Count one more file; returns the count after it."""
    what = f"the file count of {username!r}"
    async for _ in retry.Attempts(what=what):
        current = await read(username)
        if await write(username, current.value + 1, expected=current):
            return min(current.value + 1, UNKNOWN)
    raise RuntimeError(f"{what} kept changing")
