"""One delivery attempt against a real local receiver: the guard, time and size limits."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.notifications import sender
from shared.notifications.sender import Attempt
from tests.utils.receiver import Behaviour, receiving


def _post(url: str, *, allow_private: bool, timeout: int = 5) -> Attempt:
    return asyncio.run(
        sender.post(url, "{}", {}, allow_private=allow_private, timeout_seconds=timeout)
    )


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433", "127.1"]
)
def test_post_to_loopback_is_refused_with_the_guard_on(host: str) -> None:
    with receiving() as receiver:
        url = receiver.url.replace("127.0.0.1", host)

        attempt = _post(url, allow_private=False)

        assert not attempt.ok
        assert attempt.http_status is None
        assert attempt.error is not None
        assert attempt.error.startswith(("refused", "connection failed"))
        assert receiver.received == []


def test_post_to_loopback_is_allowed_with_the_guard_off() -> None:
    with receiving() as receiver:
        attempt = _post(receiver.url.replace("127.0.0.1", "localhost"), allow_private=True)

        assert (attempt.ok, attempt.http_status, attempt.error) == (True, 204, None)
        (got,) = receiver.received
        assert got.headers["content-type"] == "application/json"
        assert got.headers["user-agent"] == "fileshare-webhooks/1"


def test_a_hanging_receiver_costs_at_most_the_timeout() -> None:
    with receiving(Behaviour(hang=10)) as receiver:
        started = time.perf_counter()

        attempt = _post(receiver.url, allow_private=True, timeout=1)

        assert time.perf_counter() - started < 2.5
        assert attempt == Attempt(False, None, "no answer within 1 s", attempt.duration_ms)


def test_a_large_answer_is_read_only_in_part() -> None:
    with receiving(Behaviour(default=500, body_bytes=20 * 1024 * 1024)) as receiver:
        started = time.perf_counter()

        attempt = _post(receiver.url, allow_private=True)

        assert time.perf_counter() - started < 2
        assert attempt.http_status == 500
        assert attempt.error == "HTTP 500: " + "x" * 200


def test_nothing_listening_is_a_connection_failure() -> None:
    with receiving() as receiver:
        url = receiver.url
    attempt = _post(url, allow_private=True)

    assert attempt.error == "connection failed: ClientConnectorError"
