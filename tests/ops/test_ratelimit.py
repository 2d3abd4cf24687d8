"""Rate limits per client address and endpoint group: 429 with Retry-After, then recovery.

The session runs with very high limits; each test lowers them for itself. The counter of the
current window may already hold requests from earlier tests, so a test first sends until the
first 429, then waits for Retry-After: from there it is at the start of a fresh window and can
count exactly.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.config import get_settings
from shared.errors import RateLimited
from shared.ops import ratelimit
from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from shared.storage.clients import Storage, use_storage
from tests.utils.accounts import PASSWORD, auth, files_of, new_username, register
from tests.utils.storage import StorageProbe

LIMIT = 3
WINDOW = 3


def _send_until_limited(send: Callable[[], httpx.Response]) -> httpx.Response:
    # One window may roll over while sending: at most two windows' worth before the 429.
    for _ in range(3 * LIMIT + 3):
        response = send()
        if response.status_code == 429:
            return response
    pytest.fail(f"no 429 after {3 * LIMIT + 3} requests with a limit of {LIMIT}")


def _assert_limited(response: httpx.Response) -> int:
    """The contract's error shape with a Retry-After of whole seconds; returns those seconds."""
    assert response.status_code == 429, response.text
    body = response.json()
    assert set(body) == {"status", "message"}
    assert body["status"] == "error"
    assert isinstance(body["message"], str)
    assert body["message"]
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW
    return retry_after


def _wait_for_fresh_window(limited: httpx.Response) -> None:
    time.sleep(_assert_limited(limited) + 0.2)


def _login_unknown(client: httpx.Client, headers: dict[str, str] | None = None) -> httpx.Response:
    # Counted like any auth request, and it leaves nothing behind.
    return client.post(
        "/api/login",
        json={"username": new_username("nobody"), "password": PASSWORD},
        headers=headers,
    )


def test_auth_requests_over_limit_are_429_then_recover(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    username, _ = register(client)
    settings_env["AUTH_RATE_LIMIT_PER_MINUTE"] = str(LIMIT)
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(WINDOW)
    _wait_for_fresh_window(_send_until_limited(lambda: _login_unknown(client)))

    allowed = [_login_unknown(client) for _ in range(LIMIT)]
    over = _login_unknown(client)

    assert [r.status_code for r in allowed] == [404] * LIMIT
    retry_after = _assert_limited(over)
    time.sleep(retry_after + 0.2)
    logged_in = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert logged_in.status_code == 200


def test_each_auth_endpoint_has_its_own_limit(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    """The contract gives 10 per minute to register, login, refresh_token and logout each."""
    _, token = register(client)
    fresh_name = new_username("own-bucket")
    settings_env["AUTH_RATE_LIMIT_PER_MINUTE"] = str(LIMIT)
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(WINDOW)
    _assert_limited(_send_until_limited(lambda: _login_unknown(client)))

    registered = client.post("/api/register", json={"username": fresh_name, "password": PASSWORD})
    refreshed = client.post("/api/refresh_token", json={"accessToken": token})
    logged_out = client.post("/api/logout", headers=auth(refreshed.json()["accessToken"]))

    assert registered.status_code == 200, registered.text
    assert refreshed.status_code == 200, refreshed.text
    assert logged_out.status_code == 200, logged_out.text


def test_auth_limit_ignores_x_forwarded_for(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["AUTH_RATE_LIMIT_PER_MINUTE"] = str(LIMIT)
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(WINDOW)
    _wait_for_fresh_window(_send_until_limited(lambda: _login_unknown(client)))

    for _ in range(LIMIT):
        assert _login_unknown(client).status_code == 404
    spoofed = [
        _login_unknown(client, {"X-Forwarded-For": address})
        for address in ("203.0.113.7", "198.51.100.1, 203.0.113.9", "127.0.0.2")
    ]

    for response in spoofed:
        _assert_limited(response)


def test_upload_over_limit_is_429_and_stores_nothing_then_recovers(
    client: httpx.Client, storage: StorageProbe, settings_env: dict[str, str]
) -> None:
    _, token = register(client)
    settings_env["UPLOAD_RATE_LIMIT_PER_MINUTE"] = str(LIMIT)
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(WINDOW)

    def send() -> httpx.Response:
        return client.post(
            "/api/upload/private", files={"file": ("r.txt", b"rate")}, headers=auth(token)
        )

    _wait_for_fresh_window(_send_until_limited(send))
    allowed = [send() for _ in range(LIMIT)]
    before = storage.snapshot()
    refused = send()
    after = storage.snapshot()
    # The auth endpoints are another group: their counter is untouched by uploads.
    other_group = _login_unknown(client)

    assert [r.status_code for r in allowed] == [200] * LIMIT
    retry_after = _assert_limited(refused)
    assert after == before
    assert other_group.status_code == 404
    listed = files_of(client, token)
    assert [r.json()["file_url"] for r in allowed][::-1] == listed[:LIMIT]
    time.sleep(retry_after + 0.2)
    recovered = send()
    assert recovered.status_code == 200, recovered.text


def test_cleanup_deletes_the_counters_of_ended_windows_only(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., list[dict[str, object]]],
) -> None:
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = "3600"  # a window that outlasts the test
    before = datetime.now(UTC)
    assert _login_unknown(client).status_code == 404
    end = int(before.timestamp()) // 3600 * 3600 + 3600
    partition, row = ratelimit.keys("login", "127.0.0.1", end, 3600)
    assert storage.row("ratelimits", partition, row) is not None

    cleanup_at(datetime.fromtimestamp(end, UTC))  # the window may still count: kept
    kept = storage.row("ratelimits", partition, row)
    ended = cleanup_at(datetime.fromtimestamp(end, UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=1))

    assert kept is not None
    assert int(str(ended[0]["rate_windows_deleted"])) >= 1
    assert storage.row("ratelimits", partition, row) is None


def test_two_instances_reserving_slots_never_admit_more_than_the_limit(base_url: str) -> None:
    """Each instance reserves batches (at most limit / 64) on the shared row; together they admit
    at most the limit, and fewer only by the slots one of them reserved and did not use."""
    limit, client = 256, f"test-{secrets.token_hex(4)}"
    instances: list[tuple[dict[Any, Any], dict[Any, Any]]] = [({}, {}), ({}, {})]

    async def send(count: int) -> int:
        admitted = 0
        store = Storage.from_settings(get_settings())
        with use_storage(store), pytest.MonkeyPatch.context() as patch:
            for number in range(count):
                windows, locks = instances[number // 10 % 2]  # ten requests each, in turn
                patch.setattr(ratelimit, "_windows", windows)
                patch.setattr(ratelimit, "_locks", locks)
                try:
                    await ratelimit.enforce(
                        "test", client, limit=limit, window_seconds=3600, now=datetime.now(UTC)
                    )
                except RateLimited:
                    continue
                admitted += 1
        await store.close()
        return admitted

    admitted = asyncio.run(send(2 * limit))

    unused_at_most = 2 * (limit // 64 - 1)
    assert limit - unused_at_most <= admitted <= limit
