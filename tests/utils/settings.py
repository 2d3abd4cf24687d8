"""The settings every test server starts with: small limits, no rate limits in the way."""

from __future__ import annotations

import os

MIB = 1024 * 1024
TEST_SETTINGS = {
    "MAX_UPLOAD_BYTES": str(9 * MIB),
    "DEFAULT_TTL_SECONDS": "3600",
    "MAX_TTL_SECONDS": "86400",
    "PUBLIC_BASE_URL": "",
    "CLEANUP_SCHEDULE": "0 */5 * * * *",
    "JWT_SECRET": "test-secret-" + "x" * 40,
    "UPLOAD_RATE_LIMIT_PER_MINUTE": "100000",
    "AUTH_RATE_LIMIT_PER_MINUTE": "100000",
}


def app_env(**overrides: str) -> dict[str, str]:
    """An environment in which a fresh process can import function_app (settings are checked
    on import): this one, the test settings, and `overrides`."""
    env = {**os.environ, **TEST_SETTINGS, **overrides}
    env.setdefault("STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")
    return env
