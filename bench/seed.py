"""Files written straight into storage, row for row as the app's upload writes them.

Faster than uploading through the API: blobs and `files` rows go in concurrently, and `expiry`
entries as batch transactions of up to a hundred entries of one bucket (their partition).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from azure.data.tables import EdmType, EntityProperty, TransactionOperation, UpdateMode
from azure.data.tables.aio import TableClient, TableServiceClient
from azure.storage.blob import ContentSettings
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from bench import payload
from shared import ids
from shared.storage.expiry_index import FILE, partition_of
from shared.storage.names import CONTAINER, EXPIRY_TABLE, FILES_TABLE, file_blob_name

_CONCURRENCY = 32
_BATCH = 100  # the most operations one table transaction may hold
_SIZE = 64
_CONTENT_TYPE = "application/octet-stream"
_CONTENT_SETTINGS = ContentSettings(content_type=_CONTENT_TYPE)
_NO_BLOB = '"no-blob-yet"'


@dataclass(frozen=True)
class Store:
    container: ContainerClient
    files: TableClient
    expiry: TableClient


@dataclass(frozen=True)
class SeededFile:
    file_url: str
    due_at: datetime

    @property
    def blob(self) -> str:
        return file_blob_name(self.file_url)

    @property
    def entry(self) -> tuple[str, str]:
        """Its expiry index entry: (PartitionKey, RowKey)."""
        row_key = f"{FILE}:{self.file_url}"
        return partition_of(row_key, self.due_at), row_key


@dataclass(frozen=True)
class Snapshot:
    """Everything the app stores about files, by key (other kinds of index entry left out)."""

    blobs: frozenset[str]
    rows: frozenset[str]
    entries: frozenset[tuple[str, str]]


@contextlib.asynccontextmanager
async def open_store(connection_string: str) -> AsyncIterator[Store]:
    """The app's container and tables, created if the app has not yet done so."""
    blobs = BlobServiceClient.from_connection_string(connection_string)
    tables = TableServiceClient.from_connection_string(connection_string)
    async with blobs, tables:
        container = blobs.get_container_client(CONTAINER)
        if not await container.exists():
            await container.create_container()
        for name in (FILES_TABLE, EXPIRY_TABLE):
            await tables.create_table_if_not_exists(name)
        yield Store(
            container, tables.get_table_client(FILES_TABLE), tables.get_table_client(EXPIRY_TABLE)
        )


def spread(count: int, *, first: datetime, step: timedelta, buckets: int) -> list[datetime]:
    """`count` due times over `buckets` minute buckets, `step` apart from `first`."""
    return [first + step * (index % buckets) for index in range(count)]


async def _bounded(gate: asyncio.Semaphore, work: Awaitable[None]) -> None:
    async with gate:
        await work


def _record(item: SeededFile, index: int, etag: str, now: datetime) -> dict[str, Any]:
    """A `files` row as shared.files.table writes an anonymous, unlimited upload."""
    return {
        "PartitionKey": item.file_url,
        "RowKey": "file",
        "key": ids.new_key(),
        "user_filename": f"seed-{index}.bin",
        "ext": ".bin",
        "content_type": _CONTENT_TYPE,
        "size": EntityProperty(_SIZE, EdmType.INT64),
        "created_at": min(now, item.due_at - timedelta(hours=1)),
        "expires_at": item.due_at,
        "download_count": 0,
        "blob_etag": etag,
    }


def _entry(item: SeededFile) -> tuple[TransactionOperation, dict[str, Any]]:
    """An upsert of its `expiry` entry, as shared.storage.expiry_index writes it."""
    bucket, row_key = item.entry
    return TransactionOperation.UPSERT, {
        "PartitionKey": bucket,
        "RowKey": row_key,
        "due_at": item.due_at,
    }


async def _put_blob(store: Store, item: SeededFile) -> str:
    blob = store.container.get_blob_client(item.blob)
    result = await blob.upload_blob(
        payload.small(_SIZE), length=_SIZE, content_settings=_CONTENT_SETTINGS
    )
    return str(result["etag"])


def _batches(seeded: Sequence[SeededFile]) -> list[list[tuple[TransactionOperation, Any]]]:
    """Index entries grouped by bucket (a transaction stays in one partition), 100 at most."""
    by_bucket: dict[str, list[SeededFile]] = defaultdict(list)
    for item in seeded:
        by_bucket[item.entry[0]].append(item)
    return [
        [_entry(item) for item in items[start : start + _BATCH]]
        for items in by_bucket.values()
        for start in range(0, len(items), _BATCH)
    ]


async def seed(
    store: Store, due_times: Sequence[datetime], *, now: datetime, with_blobs: bool = True
) -> list[SeededFile]:
    """One small file per due time: blob, `files` row and `expiry` entry.

    Without blobs the rows carry a placeholder ETag until `attach_blobs` gives them their bytes.
    """
    seeded = [SeededFile(ids.new_file_url(), due_at) for due_at in due_times]
    gate = asyncio.Semaphore(_CONCURRENCY)

    async def one(index: int, item: SeededFile) -> None:
        etag = await _put_blob(store, item) if with_blobs else _NO_BLOB
        await store.files.create_entity(_record(item, index, etag, now))

    async def transact(batch: list[tuple[TransactionOperation, Any]]) -> None:
        await store.expiry.submit_transaction(batch)

    await asyncio.gather(
        *(_bounded(gate, one(index, item)) for index, item in enumerate(seeded)),
        *(_bounded(gate, transact(batch)) for batch in _batches(seeded)),
    )
    return seeded


async def attach_blobs(store: Store, seeded: Sequence[SeededFile]) -> None:
    """Give files seeded without bytes their blob, and their row its ETag, as an upload would."""
    gate = asyncio.Semaphore(_CONCURRENCY)

    async def one(item: SeededFile) -> None:
        etag = await _put_blob(store, item)
        await store.files.update_entity(
            {"PartitionKey": item.file_url, "RowKey": "file", "blob_etag": etag},
            mode=UpdateMode.MERGE,
        )

    await asyncio.gather(*(_bounded(gate, one(item)) for item in seeded))


async def snapshot(store: Store) -> Snapshot:
    blobs = frozenset([name async for name in store.container.list_blob_names()])
    rows = frozenset(
        [str(e["PartitionKey"]) async for e in store.files.list_entities(select=["PartitionKey"])]
    )
    entries = frozenset(
        [
            (str(e["PartitionKey"]), str(e["RowKey"]))
            async for e in store.expiry.list_entities(select=["PartitionKey", "RowKey"])
            if str(e["RowKey"]).startswith(f"{FILE}:")
        ]
    )
    return Snapshot(blobs, rows, entries)
