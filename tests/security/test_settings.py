"""Settings that decide what the app trusts: links are never built from a Host header in Azure."""

from __future__ import annotations

import pytest

from shared.config import Settings, SettingsError

IN_AZURE = {
    "JWT_SECRET": "s" * 32,
    "STORAGE_BLOB_ENDPOINT": "https://acct.blob.core.windows.net",
    "STORAGE_TABLE_ENDPOINT": "https://acct.table.core.windows.net",
    "STORAGE_QUEUE_ENDPOINT": "https://acct.queue.core.windows.net",
    "WEBSITE_INSTANCE_ID": "instance-1",
}


@pytest.mark.parametrize("value", ["", "   "])
def test_settings_in_azure_without_public_base_url_refuse_to_start(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**IN_AZURE, "PUBLIC_BASE_URL": value})

    assert str(refused.value) == (
        "PUBLIC_BASE_URL must be set in Azure (the app's https address): "
        "links are never built from a request's Host header there"
    )
    assert "\n" not in str(refused.value)


def test_settings_in_azure_with_public_base_url_start() -> None:
    settings = Settings.from_env({**IN_AZURE, "PUBLIC_BASE_URL": "https://files.example/"})

    assert settings.running_in_azure
    assert settings.public_base_url == "https://files.example"


def test_settings_outside_azure_may_leave_public_base_url_empty() -> None:
    local = {k: v for k, v in IN_AZURE.items() if k != "WEBSITE_INSTANCE_ID"}

    assert Settings.from_env(local).public_base_url == ""
