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
    "WRONG_PASSWORD_LIMIT": "100000",
    # Queue triggers retry within a second and give up after three attempts (host.json overrides,
    # as app settings override it under the Functions host), and an idle queue is polled often.
    "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:01",
    "AzureFunctionsJobHost__extensions__queues__maxDequeueCount": "3",
    "AzureFunctionsJobHost__extensions__queues__maxPollingInterval": "00:00:00.5",
    "WEBHOOK_TIMEOUT_SECONDS": "3",
    # Tests run the cleanup themselves, when they mean to (tests/utils/files.py run_cleanup).
    "AzureWebJobs.cleanup.Disabled": "true",
}


def app_env(**overrides: str) -> dict[str, str]:
    """An environment in which a fresh process can import function_app (settings are checked
    on import): this one, the test settings, and `overrides`."""
    env = {**os.environ, **TEST_SETTINGS, **overrides}
    env.setdefault("STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")
    return env
