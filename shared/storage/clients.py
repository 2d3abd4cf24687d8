"""Per-process storage clients: created on first use, reused by every invocation.

Azurite (and any account with a key) connects by connection string; Azure connects by endpoint
with DefaultAzureCredential, pinned to the app's user-assigned identity by AZURE_CLIENT_ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.data.tables.aio import TableClient, TableServiceClient
from azure.identity.aio import DefaultAzureCredential
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from shared.config import Settings, get_settings
from shared.storage.errors import translate_storage_errors
from shared.storage.names import CONTAINER, TABLES

# The SDKs log every request and response at INFO: noise, and it can include URLs.
logging.getLogger("azure").setLevel(logging.WARNING)

MIB = 1024 * 1024
BLOCK_SIZE = 4 * MIB

# Fail fast when storage is down: the SDK defaults back off for tens of seconds.
_RETRY: dict[str, Any] = {"retry_total": 2, "retry_backoff_factor": 0.2, "retry_backoff_max": 2}
# use_env_settings off: otherwise aiohttp reads .netrc and proxy variables in a thread on every
# request (measured: table read p50 1.5 -> 1.0 ms). Function apps here need no HTTP proxy.
_TIMEOUTS: dict[str, Any] = {
    "connection_timeout": 5,
    "read_timeout": 60,
    "use_env_settings": False,
}
# The blob SDK ignores retry_backoff_factor: its own ExponentialRetry waits 15 s, then 18 s (and
# jitters by 3 s), so an outage took ~40 s to answer. Now an outage answers 503 in about 2.5 s.
_BLOB_RETRY: dict[str, Any] = {
    "retry_total": 2,
    "initial_backoff": 0.2,
    "increment_base": 1,
    "random_jitter_range": 0.2,
}

_blob_service: BlobServiceClient | None = None
_table_service: TableServiceClient | None = None
_credential: DefaultAzureCredential | None = None
_ready: set[str] = set()
_locks: dict[str, asyncio.Lock] = {}


def _azure_credential(settings: Settings) -> DefaultAzureCredential:
    global _credential
    if _credential is None:
        _credential = DefaultAzureCredential(
            managed_identity_client_id=settings.azure_client_id or None
        )
    return _credential


def blob_service() -> BlobServiceClient:
    global _blob_service
    if _blob_service is None:
        settings = get_settings()
        options: dict[str, Any] = {
            **_BLOB_RETRY,
            **_TIMEOUTS,
            "max_single_put_size": BLOCK_SIZE,
            "max_block_size": BLOCK_SIZE,
            "max_single_get_size": BLOCK_SIZE,
            "max_chunk_get_size": BLOCK_SIZE,
        }
        if settings.storage_connection_string:
            _blob_service = BlobServiceClient.from_connection_string(
                settings.storage_connection_string, **options
            )
        else:
            _blob_service = BlobServiceClient(
                settings.storage_blob_endpoint, credential=_azure_credential(settings), **options
            )
    return _blob_service


def table_service() -> TableServiceClient:
    global _table_service
    if _table_service is None:
        settings = get_settings()
        if settings.storage_connection_string:
            _table_service = TableServiceClient.from_connection_string(
                settings.storage_connection_string, **_RETRY, **_TIMEOUTS
            )
        else:
            _table_service = TableServiceClient(
                settings.storage_table_endpoint,
                credential=_azure_credential(settings),
                **_RETRY,
                **_TIMEOUTS,
            )
    return _table_service


async def _ensure(name: str) -> None:
    """Create a container or table once per process; concurrent first callers wait together."""
    if name in _ready:
        return
    async with _locks.setdefault(name, asyncio.Lock()):
        if name in _ready:
            return
        with translate_storage_errors():
            if name == CONTAINER:
                with contextlib.suppress(ResourceExistsError):
                    await blob_service().create_container(CONTAINER)
            else:
                await table_service().create_table_if_not_exists(name)
        _ready.add(name)


async def container() -> ContainerClient:
    await _ensure(CONTAINER)
    return blob_service().get_container_client(CONTAINER)


async def table(name: str) -> TableClient:
    if name not in TABLES:
        raise ValueError(f"unknown table {name}")
    await _ensure(name)
    return table_service().get_table_client(name)


async def close() -> None:
    """Close the clients (their connection pools) and forget them.

    The Functions host never needs this: clients live as long as the worker. A process that
    stops its event loop, such as a test server, calls it first.
    """
    global _blob_service, _table_service, _credential
    for client in (_blob_service, _table_service, _credential):
        if client is not None:
            await client.close()
    _blob_service = _table_service = _credential = None
    _locks.clear()
