"""Settings: defaults, overrides, and loud failures naming the key."""

from __future__ import annotations

import pytest

from shared.config import Settings, SettingsError

SECRET = "s" * 32
AZURITE = {"STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true", "JWT_SECRET": SECRET}


def test_defaults_match_the_documented_values() -> None:
    settings = Settings.from_env(AZURITE)

    assert settings.max_upload_bytes == 104_857_600
    assert settings.default_ttl_seconds == 604_800
    assert settings.max_ttl_seconds == 2_592_000
    assert settings.public_base_url == ""
    assert settings.cleanup_schedule == "0 */5 * * * *"
    assert settings.max_direct_upload_bytes == 53_687_091_200
    assert settings.upload_sas_ttl_seconds == 900
    assert settings.max_upload_seconds == 86_400
    assert settings.direct_download_min_bytes == 33_554_432


def test_values_from_the_environment_override_defaults() -> None:
    settings = Settings.from_env(
        {**AZURITE, "MAX_UPLOAD_BYTES": "10", "PUBLIC_BASE_URL": "https://files.example/"}
    )

    assert settings.max_upload_bytes == 10
    assert settings.public_base_url == "https://files.example"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"MAX_UPLOAD_BYTES": "lots"}, "MAX_UPLOAD_BYTES"),
        ({"MAX_TTL_SECONDS": "0"}, "MAX_TTL_SECONDS"),
        ({"DEFAULT_TTL_SECONDS": "100", "MAX_TTL_SECONDS": "10"}, "DEFAULT_TTL_SECONDS"),
        ({"PUBLIC_BASE_URL": "files.example"}, "PUBLIC_BASE_URL"),
        ({"UPLOAD_SAS_TTL_SECONDS": "604801"}, "UPLOAD_SAS_TTL_SECONDS"),
        ({"MAX_UPLOAD_SECONDS": "604801"}, "MAX_UPLOAD_SECONDS"),
        ({"UPLOAD_SAS_TTL_SECONDS": "100", "MAX_UPLOAD_SECONDS": "99"}, "MAX_UPLOAD_SECONDS"),
        ({"MAX_DIRECT_UPLOAD_BYTES": "0"}, "MAX_DIRECT_UPLOAD_BYTES"),
        ({"DIRECT_DOWNLOAD_MIN_BYTES": "-1"}, "DIRECT_DOWNLOAD_MIN_BYTES"),
    ],
)
def test_malformed_values_fail_naming_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({**AZURITE, **env})


def test_storage_must_be_configured() -> None:
    with pytest.raises(SettingsError, match="STORAGE_CONNECTION_STRING"):
        Settings.from_env({"JWT_SECRET": SECRET})


@pytest.mark.parametrize(
    "secret", ["", "short", "@Microsoft.KeyVault(SecretUri=https://kv/secrets/jwt)"]
)
def test_weak_or_unresolved_jwt_secret_is_refused(secret: str) -> None:
    with pytest.raises(SettingsError, match="JWT_SECRET"):
        Settings.from_env({**AZURITE, "JWT_SECRET": secret})


def test_settings_repr_never_shows_secrets() -> None:
    settings = Settings.from_env(AZURITE)

    assert SECRET not in repr(settings)
    assert "UseDevelopmentStorage" not in repr(settings)


def test_identity_endpoints_are_enough_without_a_connection_string() -> None:
    settings = Settings.from_env(
        {
            "JWT_SECRET": SECRET,
            "STORAGE_BLOB_ENDPOINT": "https://acct.blob.core.windows.net",
            "STORAGE_TABLE_ENDPOINT": "https://acct.table.core.windows.net",
        }
    )

    assert settings.storage_connection_string == ""


def test_account_key_connection_string_is_refused_in_azure() -> None:
    with pytest.raises(SettingsError, match="account key"):
        Settings.from_env(
            {
                "JWT_SECRET": SECRET,
                "WEBSITE_INSTANCE_ID": "abc",
                "STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountKey=xyz",
            }
        )
