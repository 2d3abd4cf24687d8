"""Fixtures of the security review."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost import azurite
from shared.storage.clients import storage, use_storage


@pytest.fixture
def behind_azure_front_end(
    settings_env: dict[str, str], azurite_ports: azurite.AzuritePorts
) -> Iterator[dict[str, str]]:
    """Settings as in Azure (WEBSITE_INSTANCE_ID set, no account key), storage still Azurite.

    Storage stays the process's Azurite one: what Azure's settings would build needs a managed
    identity. Set more keys in the returned dict, as with settings_env.
    """
    with use_storage(storage()):
        endpoint = "http://127.0.0.1:{}/" + azurite.ACCOUNT
        settings_env["STORAGE_CONNECTION_STRING"] = ""
        settings_env["STORAGE_BLOB_ENDPOINT"] = endpoint.format(azurite_ports.blob)
        settings_env["STORAGE_TABLE_ENDPOINT"] = endpoint.format(azurite_ports.table)
        settings_env["PUBLIC_BASE_URL"] = "https://share.example.org"
        settings_env["STORAGE_QUEUE_ENDPOINT"] = endpoint.format(azurite_ports.queue)
        settings_env["WEBSITE_INSTANCE_ID"] = "security-test-instance"
        yield settings_env
