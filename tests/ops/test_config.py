"""Settings: defaults, overrides, and loud failures naming the key."""

from __future__ import annotations

import json

import pytest

from shared.config import Settings, SettingsError, setting_names
from tests.utils.server import ROOT

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
    assert settings.storage_timeout_seconds == 10


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
        ({"MAX_UPLOAD_BYTES": "5.0"}, "MAX_UPLOAD_BYTES"),
        ({"MAX_UPLOAD_BYTES": "0x10"}, "MAX_UPLOAD_BYTES"),
        ({"MAX_TTL_SECONDS": "0"}, "MAX_TTL_SECONDS"),
        ({"DEFAULT_TTL_SECONDS": "100", "MAX_TTL_SECONDS": "10"}, "DEFAULT_TTL_SECONDS"),
        ({"PUBLIC_BASE_URL": "files.example"}, "PUBLIC_BASE_URL"),
        ({"UPLOAD_SAS_TTL_SECONDS": "604801"}, "UPLOAD_SAS_TTL_SECONDS"),
        ({"MAX_UPLOAD_SECONDS": "604801"}, "MAX_UPLOAD_SECONDS"),
        ({"UPLOAD_SAS_TTL_SECONDS": "100", "MAX_UPLOAD_SECONDS": "99"}, "MAX_UPLOAD_SECONDS"),
        ({"MAX_DIRECT_UPLOAD_BYTES": "0"}, "MAX_DIRECT_UPLOAD_BYTES"),
    ],
)
def test_malformed_values_fail_naming_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({**AZURITE, **env})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MAX_UPLOAD_BYTES": "100MB"},
            "MAX_UPLOAD_BYTES must be a whole number of bytes, got '100MB'",
        ),
        (
            {"MAX_TTL_SECONDS": "30d"},
            "MAX_TTL_SECONDS must be a whole number of seconds, got '30d'",
        ),
        ({"BUFFER_HISTORY": "0"}, "BUFFER_HISTORY must be a whole number, at least 1, got '0'"),
        (
            {"MAX_UPLOAD_BYTES": "\uff11\uff12"},  # fullwidth digits: int() would take them
            "MAX_UPLOAD_BYTES must be a whole number of bytes, got '\uff11\uff12'",
        ),
    ],
)
def test_malformed_number_says_what_the_setting_expects(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**AZURITE, **env})

    assert str(raised.value) == message


def test_cors_origins_are_parsed_into_exact_origins() -> None:
    settings = Settings.from_env(
        {**AZURITE, "CORS_ALLOWED_ORIGINS": " https://App.example/ ,http://localhost:5173,"}
    )

    assert settings.cors_allowed_origins == ("https://app.example", "http://localhost:5173")
    assert Settings.from_env(AZURITE).cors_allowed_origins == ()


@pytest.mark.parametrize("origin", ["*", "app.example", "https://app.example/page", "ftp://a.b"])
def test_cors_origin_that_is_not_an_exact_origin_is_refused(origin: str) -> None:
    with pytest.raises(SettingsError, match="CORS_ALLOWED_ORIGINS must be comma-separated origins"):
        Settings.from_env({**AZURITE, "CORS_ALLOWED_ORIGINS": f"https://ok.example,{origin}"})


def test_defaults_keep_the_contract_rate_limits() -> None:
    settings = Settings.from_env(AZURITE)

    assert settings.upload_rate_limit_per_minute == 2
    assert settings.auth_rate_limit_per_minute == 10


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
            "STORAGE_QUEUE_ENDPOINT": "https://acct.queue.core.windows.net",
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


def test_whole_numbers_may_carry_spaces_and_blank_means_the_default() -> None:
    settings = Settings.from_env({**AZURITE, "MAX_UPLOAD_BYTES": " 2048 ", "BUFFER_HISTORY": "  "})

    assert settings.max_upload_bytes == 2048
    assert settings.buffer_history == 10


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("", False),
        ("0", False),
        ("false", False),
        ("No", False),
        ("OFF", False),
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
    ],
)
def test_flags_accept_the_usual_spellings(raw: str, value: bool) -> None:
    assert Settings.from_env({**AZURITE, "MALWARE_SCANNING": raw}).malware_scanning is value


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled"])
def test_a_flag_that_is_neither_true_nor_false_fails_naming_the_key(raw: str) -> None:
    with pytest.raises(SettingsError, match="MALWARE_SCANNING"):
        Settings.from_env({**AZURITE, "MALWARE_SCANNING": raw})


@pytest.mark.parametrize(("instance", "in_azure"), [("", False), ("  ", False), ("abc123", True)])
def test_running_in_azure_follows_the_platforms_instance_id(instance: str, in_azure: bool) -> None:
    env = {**AZURITE, "WEBSITE_INSTANCE_ID": instance, "PUBLIC_BASE_URL": "https://x.example"}
    settings = Settings.from_env(env)

    assert settings.running_in_azure is in_azure


ENDPOINTS = {
    "STORAGE_BLOB_ENDPOINT": "https://acct.blob.core.windows.net",
    "STORAGE_TABLE_ENDPOINT": "https://acct.table.core.windows.net",
    "STORAGE_QUEUE_ENDPOINT": "https://acct.queue.core.windows.net",
}


@pytest.mark.parametrize("missing", sorted(ENDPOINTS))
def test_every_storage_endpoint_is_needed_without_a_connection_string(missing: str) -> None:
    env = {"JWT_SECRET": SECRET, **{k: v for k, v in ENDPOINTS.items() if k != missing}}

    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(env)


def test_strings_are_trimmed_and_missing_ones_take_their_default() -> None:
    settings = Settings.from_env({**AZURITE, "CLEANUP_SCHEDULE": "  ", "AZURE_CLIENT_ID": " 1234 "})

    assert settings.cleanup_schedule == "0 */5 * * * *"
    assert settings.azure_client_id == "1234"


def test_every_setting_is_named_after_its_field_in_upper_case() -> None:
    names = setting_names()

    assert {"MAX_UPLOAD_BYTES", "JWT_SECRET", "MALWARE_SCANNING", "AZURE_CLIENT_ID"} <= names
    assert "RUNNING_IN_AZURE" not in names
    assert len(names) == len(Settings.__dataclass_fields__) - 1


def test_webhook_settings_default_to_the_guard_on() -> None:
    settings = Settings.from_env(AZURITE)

    assert settings.webhook_allow_private_destinations is False
    assert settings.webhook_timeout_seconds == 10
    assert settings.webhook_disable_after_failures == 5


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"WEBHOOK_TIMEOUT_SECONDS": "0"}, "WEBHOOK_TIMEOUT_SECONDS"),
        ({"WEBHOOK_TIMEOUT_SECONDS": "61"}, "WEBHOOK_TIMEOUT_SECONDS"),
        ({"WEBHOOK_DISABLE_AFTER_FAILURES": "0"}, "WEBHOOK_DISABLE_AFTER_FAILURES"),
        ({"WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": "sometimes"}, "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"),
    ],
)
def test_bad_webhook_settings_fail_naming_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({**AZURITE, **env})


def test_sample_local_settings_name_every_setting_but_the_azure_only_ones() -> None:
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    azure_only = {
        "STORAGE_BLOB_ENDPOINT",
        "STORAGE_TABLE_ENDPOINT",
        "STORAGE_QUEUE_ENDPOINT",
        "AZURE_CLIENT_ID",
    }

    assert sorted(setting_names() - azure_only - set(sample)) == []
    assert sample["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] == "true"  # a local receiver may watch
