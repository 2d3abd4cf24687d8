"""One typed settings object, read from the environment once per process."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from shared.http.params import is_true

_MIN_SECRET_CHARS = 32
_MAX_SAS_TTL_SECONDS = 7 * 86_400
_S = "seconds"
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# The contract's request limits: the defaults, so Azure enforces them unless told otherwise.
CONTRACT_UPLOADS_PER_MINUTE = 2
CONTRACT_AUTH_REQUESTS_PER_MINUTE = 10
_MAX_WEBHOOK_TIMEOUT_SECONDS = 60


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the key."""


def _int(
    env: Mapping[str, str], key: str, default: int, *, minimum: int = 0, unit: str = ""
) -> int:
    """A whole number; `unit` ("bytes", "seconds") names what it counts in the error message."""
    raw = env.get(key, "").strip()
    if not raw:
        return default
    expected = f"a whole number of {unit}" if unit else "a whole number"
    if not _WHOLE_NUMBER.fullmatch(raw):
        raise SettingsError(f"{key} must be {expected}, got {raw!r}")
    value = int(raw)
    if value < minimum:
        raise SettingsError(f"{key} must be {expected}, at least {minimum}, got {raw!r}")
    return value


def _bool(env: Mapping[str, str], key: str) -> bool:
    raw = env.get(key, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if is_true(raw):
        return True
    raise SettingsError(f"{key} must be true or false, got {raw!r}")


def _str(env: Mapping[str, str], key: str, default: str = "") -> str:
    return env.get(key, "").strip() or default


def _origins(env: Mapping[str, str], key: str) -> tuple[str, ...]:
    """Comma-separated exact origins (`https://app.example`, `http://localhost:5173`)."""
    origins = []
    for item in env.get(key, "").split(","):
        raw = item.strip()
        if not raw:
            continue
        parts = urlsplit(raw.rstrip("/"))
        exact = (
            parts.scheme in ("http", "https")
            and parts.hostname
            and not (parts.path or parts.query or parts.fragment or parts.username)
        )
        if not exact:
            raise SettingsError(
                f"{key} must be comma-separated origins like https://app.example, got {raw!r}"
            )
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(origins)


@dataclass(frozen=True)
class Settings:
    """Every setting the app reads; names match the app settings in Azure."""

    storage_connection_string: str = field(repr=False)
    storage_blob_endpoint: str
    storage_table_endpoint: str
    storage_queue_endpoint: str
    azure_client_id: str
    max_upload_bytes: int
    default_ttl_seconds: int
    max_ttl_seconds: int
    public_base_url: str
    cleanup_schedule: str
    jwt_secret: str = field(repr=False)
    access_token_ttl_seconds: int
    bot_token_ttl_seconds: int
    upload_rate_limit_per_minute: int
    auth_rate_limit_per_minute: int
    # Wrong link passwords per client address per window; a link takes three times as many.
    wrong_password_limit: int
    rate_limit_window_seconds: int
    malware_scanning: bool
    buffer_history: int
    buffer_ttl_seconds: int
    max_files_per_user: int
    max_direct_upload_bytes: int
    upload_sas_ttl_seconds: int
    # One storage operation, retries included, gives up after this long and answers 503.
    storage_timeout_seconds: int
    # Browser apps on these origins may call the API (CORS); empty: none. In Azure the platform
    # applies it (infra/ sets siteConfig.cors from the same parameter), locally devhost/cors.py.
    cors_allowed_origins: tuple[str, ...]
    max_upload_seconds: int
    webhook_allow_private_destinations: bool
    webhook_timeout_seconds: int
    webhook_disable_after_failures: int
    running_in_azure: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        settings = cls(
            storage_connection_string=_str(env, "STORAGE_CONNECTION_STRING"),
            storage_blob_endpoint=_str(env, "STORAGE_BLOB_ENDPOINT"),
            storage_table_endpoint=_str(env, "STORAGE_TABLE_ENDPOINT"),
            storage_queue_endpoint=_str(env, "STORAGE_QUEUE_ENDPOINT"),
            azure_client_id=_str(env, "AZURE_CLIENT_ID"),
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", 104_857_600, minimum=1, unit="bytes"),
            default_ttl_seconds=_int(env, "DEFAULT_TTL_SECONDS", 604_800, minimum=1, unit=_S),
            max_ttl_seconds=_int(env, "MAX_TTL_SECONDS", 2_592_000, minimum=1, unit=_S),
            public_base_url=_str(env, "PUBLIC_BASE_URL").rstrip("/"),
            cleanup_schedule=_str(env, "CLEANUP_SCHEDULE", "0 */5 * * * *"),
            jwt_secret=_str(env, "JWT_SECRET"),
            access_token_ttl_seconds=_int(
                env, "ACCESS_TOKEN_TTL_SECONDS", 86_400, minimum=1, unit=_S
            ),
            bot_token_ttl_seconds=_int(
                env, "BOT_TOKEN_TTL_SECONDS", 15_552_000, minimum=1, unit=_S
            ),
            upload_rate_limit_per_minute=_int(
                env, "UPLOAD_RATE_LIMIT_PER_MINUTE", CONTRACT_UPLOADS_PER_MINUTE, minimum=1
            ),
            auth_rate_limit_per_minute=_int(
                env, "AUTH_RATE_LIMIT_PER_MINUTE", CONTRACT_AUTH_REQUESTS_PER_MINUTE, minimum=1
            ),
            wrong_password_limit=_int(env, "WRONG_PASSWORD_LIMIT", 10, minimum=1),
            rate_limit_window_seconds=_int(
                env, "RATE_LIMIT_WINDOW_SECONDS", 60, minimum=1, unit=_S
            ),
            malware_scanning=_bool(env, "MALWARE_SCANNING"),
            buffer_history=_int(env, "BUFFER_HISTORY", 10, minimum=1),
            buffer_ttl_seconds=_int(env, "BUFFER_TTL_SECONDS", 7_200, minimum=1, unit=_S),
            # 0: no limit.
            max_files_per_user=_int(env, "MAX_FILES_PER_USER", 0, minimum=0),
            max_direct_upload_bytes=_int(
                env, "MAX_DIRECT_UPLOAD_BYTES", 53_687_091_200, minimum=1, unit="bytes"
            ),
            # Short, renewed by GET /api/uploads/{file_url}, up to MAX_UPLOAD_SECONDS in all.
            upload_sas_ttl_seconds=_int(env, "UPLOAD_SAS_TTL_SECONDS", 900, minimum=1, unit=_S),
            max_upload_seconds=_int(env, "MAX_UPLOAD_SECONDS", 86_400, minimum=1, unit=_S),
            storage_timeout_seconds=_int(env, "STORAGE_TIMEOUT_SECONDS", 10, minimum=1, unit=_S),
            cors_allowed_origins=_origins(env, "CORS_ALLOWED_ORIGINS"),
            # Off unless asked for: receivers are untrusted, so the private network is refused.
            webhook_allow_private_destinations=_bool(env, "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"),
            webhook_timeout_seconds=_int(env, "WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, unit=_S),
            webhook_disable_after_failures=_int(
                env, "WEBHOOK_DISABLE_AFTER_FAILURES", 5, minimum=1
            ),
            # The platform sets WEBSITE_INSTANCE_ID on every Azure instance.
            running_in_azure=bool(_str(env, "WEBSITE_INSTANCE_ID")),
        )
        settings._validate()
        return settings

    def _validate(self) -> None:
        if len(self.jwt_secret) < _MIN_SECRET_CHARS:
            raise SettingsError(
                f"JWT_SECRET must be set to at least {_MIN_SECRET_CHARS} random characters "
                "(`make run` generates one into local.settings.json)"
            )
        if self.jwt_secret.startswith("@Microsoft.KeyVault("):
            # An unresolved Key Vault reference arrives as this literal, publicly known text.
            raise SettingsError("JWT_SECRET is an unresolved Key Vault reference")
        if self.webhook_timeout_seconds > _MAX_WEBHOOK_TIMEOUT_SECONDS:
            # A hanging receiver holds a delivery (and its queue message) this long.
            raise SettingsError(
                f"WEBHOOK_TIMEOUT_SECONDS must be at most {_MAX_WEBHOOK_TIMEOUT_SECONDS}"
            )
        if self.upload_sas_ttl_seconds > _MAX_SAS_TTL_SECONDS:
            # A user-delegation key, and so any SAS signed with it, lives at most 7 days.
            raise SettingsError(
                f"UPLOAD_SAS_TTL_SECONDS must be at most {_MAX_SAS_TTL_SECONDS} (7 days)"
            )
        if not self.upload_sas_ttl_seconds <= self.max_upload_seconds <= _MAX_SAS_TTL_SECONDS:
            raise SettingsError(
                "MAX_UPLOAD_SECONDS must be from UPLOAD_SAS_TTL_SECONDS to "
                f"{_MAX_SAS_TTL_SECONDS} (7 days)"
            )
        if self.default_ttl_seconds > self.max_ttl_seconds:
            raise SettingsError("DEFAULT_TTL_SECONDS must not exceed MAX_TTL_SECONDS")
        if self.buffer_ttl_seconds > self.max_ttl_seconds:
            # The lifecycle rule deletes buffer blobs a day after MAX_TTL_SECONDS.
            raise SettingsError("BUFFER_TTL_SECONDS must not exceed MAX_TTL_SECONDS")
        if self.public_base_url and not self.public_base_url.startswith(("http://", "https://")):
            raise SettingsError("PUBLIC_BASE_URL must start with http:// or https://")
        if not self.storage_connection_string:
            endpoints = (
                self.storage_blob_endpoint,
                self.storage_table_endpoint,
                self.storage_queue_endpoint,
            )
            if not all(endpoints):
                raise SettingsError(
                    "STORAGE_CONNECTION_STRING, or STORAGE_BLOB_ENDPOINT, STORAGE_TABLE_ENDPOINT "
                    "and STORAGE_QUEUE_ENDPOINT, must be set"
                )
        elif self.running_in_azure and "AccountKey=" in self.storage_connection_string:
            raise SettingsError(
                "STORAGE_CONNECTION_STRING with an account key is refused in Azure: "
                "use STORAGE_BLOB_ENDPOINT/STORAGE_TABLE_ENDPOINT and the managed identity"
            )
        if self.running_in_azure and not self.public_base_url:
            # Upload answers, invite links, QR codes and the API description would otherwise
            # name whatever host a caller put in the Host header (infra sets the app's own).
            raise SettingsError(
                "PUBLIC_BASE_URL must be set in Azure (the app's https address): "
                "links are never built from a request's Host header there"
            )


# Fields not read from an app setting of their own name.
_NOT_APP_SETTINGS = frozenset({"running_in_azure"})
# Read locally only: Azure connects with the managed identity.
LOCAL_ONLY_SETTINGS = frozenset({"STORAGE_CONNECTION_STRING"})


def setting_names() -> frozenset[str]:
    """The app setting behind each field: the field's name in upper case."""
    return frozenset(f.name.upper() for f in fields(Settings) if f.name not in _NOT_APP_SETTINGS)


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return Settings.from_env()


def require_settings() -> Settings:
    """The settings, or exit with one line naming the bad setting (no traceback, status 1).

    function_app.py calls it on import, so a malformed value stops the host starting instead of
    failing every request with a 500.
    """
    try:
        return get_settings()
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
