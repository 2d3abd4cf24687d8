"""The storage seam: one Storage per process, built from Settings, swapped in tests by accessor.

No request is made here: building clients does not connect.
"""

from __future__ import annotations

import asyncio

from azure.identity.aio import DefaultAzureCredential

from shared.config import Settings
from shared.storage.clients import Storage, storage, use_storage

SECRET = "s" * 32
AZURITE = Settings.from_env(
    {
        "JWT_SECRET": SECRET,
        "STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
        "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
    }
)
AZURE = Settings.from_env(
    {
        "JWT_SECRET": SECRET,
        "WEBSITE_INSTANCE_ID": "instance",
        "PUBLIC_BASE_URL": "https://share.example.org",
        "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
        "STORAGE_BLOB_ENDPOINT": "https://acct.blob.core.windows.net",
        "STORAGE_TABLE_ENDPOINT": "https://acct.table.core.windows.net",
        "STORAGE_QUEUE_ENDPOINT": "https://acct.queue.core.windows.net",
    }
)


def test_azurite_is_reached_by_connection_string_with_its_account_key() -> None:
    made = Storage.from_settings(AZURITE)

    assert made.blob_service.url.startswith("http://127.0.0.1:10000/devstoreaccount1")
    assert made.table_service.url.startswith("http://127.0.0.1:10002")
    assert made.blob_service.credential.account_key == "a2V5"
    asyncio.run(made.close())


def test_azure_is_reached_by_account_url_with_one_managed_identity_credential() -> None:
    made = Storage.from_settings(AZURE)

    assert made.blob_service.url.startswith("https://acct.blob.core.windows.net")
    assert made.table_service.url.startswith("https://acct.table.core.windows.net")
    assert made.queue_service.url.startswith("https://acct.queue.core.windows.net")
    assert isinstance(made.blob_service.credential, DefaultAzureCredential)
    assert made.table_service.credential is made.blob_service.credential
    assert made.queue_service.credential is made.blob_service.credential
    asyncio.run(made.close())


def test_use_storage_swaps_the_accessor_and_restores_it() -> None:
    first, second = Storage.from_settings(AZURITE), Storage.from_settings(AZURITE)

    with use_storage(first):
        assert storage() is first
        with use_storage(second):
            assert storage() is second
        assert storage() is first
    asyncio.run(first.close())
    asyncio.run(second.close())
