"""The process's storage, behind one accessor: `storage()` everywhere, `use_storage()` in tests.

One `Storage` per process holds the Blob, Table and Queue service clients, made from Settings on
first use and reused by every invocation (the Functions guidance: never a client per call).
Azurite (and any account with a key) connects by connection string; Azure connects by endpoint
with DefaultAzureCredential, pinned to the app's user-assigned identity by AZURE_CLIENT_ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.data.tables.aio import TableClient, TableServiceClient
from azure.identity.aio import DefaultAzureCredential
from azure.storage.blob.aio import BlobClient, BlobServiceClient, ContainerClient
from azure.storage.queue import TextBase64EncodePolicy
from azure.storage.queue.aio import QueueClient, QueueServiceClient

from shared.config import Settings, get_settings
from shared.storage.errors import storage_call
from shared.storage.metering import METER
from shared.storage.names import CONTAINER, QUEUES, TABLES

# The SDKs log every request and response at INFO: noise, and it can include URLs.
logging.getLogger("azure").setLevel(logging.WARNING)

MIB = 1024 * 1024
BLOCK_SIZE = 4 * MIB

# Fail fast when storage is down: the SDK defaults back off for tens of seconds.
_RETRY: dict[str, Any] = {"retry_total": 2, "retry_backoff_factor": 0.2, "retry_backoff_max": 2}
# use_env_settings off: otherwise aiohttp reads .netrc and proxy variables in a thread on every
# request (measured: table read p50 1.5 -> 1.0 ms). Function apps here need no HTTP proxy.
# The read timeout is per socket read; each operation as a whole is bounded by Storage.call().
_TIMEOUTS: dict[str, Any] = {"connection_timeout": 5, "use_env_settings": False}
# The blob SDK ignores retry_backoff_factor: its own ExponentialRetry waits 15 s, then 18 s (and
# jitters by 3 s), so an outage took ~40 s to answer. Now an outage answers 503 in about 2.5 s.
_BLOB_RETRY: dict[str, Any] = {
    "retry_total": 2,
    "initial_backoff": 0.2,
    "increment_base": 1,
    "random_jitter_range": 0.2,
}
_BLOB_OPTIONS: dict[str, Any] = {
    **_BLOB_RETRY,
    "max_single_put_size": BLOCK_SIZE,
    "max_block_size": BLOCK_SIZE,
    "max_single_get_size": BLOCK_SIZE,
    "max_chunk_get_size": BLOCK_SIZE,
}


class Storage:
    """One account's Blob, Table and Queue service clients, and what the app keeps on them."""

    def __init__(
        self,
        blob_service: BlobServiceClient,
        table_service: TableServiceClient,
        queue_service: QueueServiceClient,
        *,
        credential: DefaultAzureCredential | None = None,
        deadline_seconds: float = 10,
    ) -> None:
        self.blob_service = blob_service
        self.table_service = table_service
        self.deadline_seconds = deadline_seconds
        self.queue_service = queue_service
        self._credential = credential
        self._ready: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        # A client object per table and container, made once: the table SDK builds a whole
        # pipeline for every client it hands out (measured: 0.3 ms of CPU per request).
        self._tables: dict[str, TableClient] = {}
        self._container: ContainerClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Storage:
        """Clients for the configured account; no request is made until one is used."""
        deadline = settings.storage_timeout_seconds
        # The meter's hooks ride along in every client: one attribute read when not recording.
        timeouts = {**_TIMEOUTS, "read_timeout": deadline, **METER.hooks()}
        if settings.storage_connection_string:
            return cls(
                BlobServiceClient.from_connection_string(
                    settings.storage_connection_string, **_BLOB_OPTIONS, **timeouts
                ),
                TableServiceClient.from_connection_string(
                    settings.storage_connection_string, **_RETRY, **timeouts
                ),
                QueueServiceClient.from_connection_string(
                    settings.storage_connection_string, **_RETRY, **timeouts
                ),
                deadline_seconds=deadline,
            )
        credential = DefaultAzureCredential(
            managed_identity_client_id=settings.azure_client_id or None
        )
        return cls(
            BlobServiceClient(
                settings.storage_blob_endpoint, credential=credential, **_BLOB_OPTIONS, **timeouts
            ),
            TableServiceClient(
                settings.storage_table_endpoint, credential=credential, **_RETRY, **timeouts
            ),
            QueueServiceClient(
                settings.storage_queue_endpoint, credential=credential, **_RETRY, **timeouts
            ),
            credential=credential,
            deadline_seconds=deadline,
        )

    def call(self) -> AbstractAsyncContextManager[None]:
        """Wrap one storage operation: STORAGE_TIMEOUT_SECONDS at most, outages become 503s."""
        return storage_call(self.deadline_seconds)

    async def container(self) -> ContainerClient:
        """The app's one container, created on first use."""
        await self._ensure(CONTAINER, kind="container")
        if self._container is None:
            self._container = self.blob_service.get_container_client(CONTAINER)
        return self._container

    async def blob(self, name: str) -> BlobClient:
        """A client for one blob of the app's container (which need not hold it yet)."""
        return (await self.container()).get_blob_client(name)

    async def table(self, name: str) -> TableClient:
        """One of the app's tables (shared/storage/names.py), created on first use."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name}")
        await self._ensure(name)
        client = self._tables.get(name)
        if client is None:
            client = self._tables[name] = self.table_service.get_table_client(name)
        return client

    async def queue(self, name: str) -> QueueClient:
        """One of the app's queues, created on first use.

        Messages are base64-encoded: host.json's `messageEncoding` (the Functions default) must
        match, or the queue trigger cannot decode a single message.
        """
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name}")
        await self._ensure(name, kind="queue")
        return self.queue_service.get_queue_client(
            name, message_encode_policy=TextBase64EncodePolicy()
        )

    async def close(self) -> None:
        """Close the clients' connection pools (and the credential's)."""
        await self.blob_service.close()
        await self.table_service.close()
        await self.queue_service.close()
        if self._credential is not None:
            await self._credential.close()

    async def _ensure(self, name: str, *, kind: str = "table") -> None:
        """Create a container, table or queue once; concurrent first callers wait together."""
        ready = f"{kind}:{name}"
        if ready in self._ready:
            return
        async with self._locks.setdefault(ready, asyncio.Lock()):
            if ready in self._ready:
                return
            async with self.call():
                if kind == "container":
                    with contextlib.suppress(ResourceExistsError):
                        await self.blob_service.create_container(name)
                elif kind == "queue":
                    with contextlib.suppress(ResourceExistsError):
                        await self.queue_service.create_queue(name)
                else:
                    await self.table_service.create_table_if_not_exists(name)
            self._ready.add(ready)


_storage: Storage | None = None


def storage() -> Storage:
    """The process's storage: made from Settings on first use, then the same object every time."""
    global _storage
    if _storage is None:
        _storage = Storage.from_settings(get_settings())
    return _storage


@contextlib.contextmanager
def use_storage(replacement: Storage) -> Iterator[Storage]:
    """Tests: `storage()` answers `replacement` inside the block, as before after it.

    The caller owns `replacement` and closes it; the storage it stood in for is left untouched.
    """
    global _storage
    previous, _storage = _storage, replacement
    try:
        yield replacement
    finally:
        _storage = previous


async def close() -> None:
    """Close the process's storage and forget it; the next `storage()` makes new clients.

    The Functions host never needs this: clients live as long as the worker. A process that
    stops its event loop, such as a test server, calls it first.
    """
    global _storage
    current, _storage = _storage, None
    if current is not None:
        await current.close()
