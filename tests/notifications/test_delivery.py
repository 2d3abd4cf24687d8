"""Events reach a real receiver through the queue: signed, retried, given up, never blocking."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.accounts import auth, register
from tests.utils.files import upload
from tests.utils.receiver import Behaviour, Receiver, receiving
from tests.utils.webhook_spec import verify
from tests.utils.webhooks import (
    deliveries,
    event,
    wait_for_deliveries,
    watched_account,
    webhook,
)


@pytest.fixture
def local_receivers(settings_env: dict[str, str]) -> dict[str, str]:
    """Loopback receivers allowed, as under `make run` (the guard is on everywhere else)."""
    settings_env["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] = "true"
    return settings_env


@pytest.fixture
def receiver(local_receivers: dict[str, str]) -> Iterator[Receiver]:
    with receiving() as started:
        yield started


def test_download_delivers_a_signed_file_downloaded_event(
    client: httpx.Client, receiver: Receiver
) -> None:
    token, hook = watched_account(client, receiver.url)
    file = upload(
        client,
        b"payload",
        filename="report.pdf",
        params={"max_downloads": "3"},
        headers=auth(token),
    )

    assert client.get(f"/file/{file['file_url']}").content == b"payload"

    (got,) = receiver.wait_for(1)
    verify(hook["secret"], got.headers, got.body)
    assert got.headers["content-type"] == "application/json"
    sent = event(got)
    assert sent["type"] == "file.downloaded"
    assert sent["data"] == {
        "file_url": file["file_url"],
        "name": "report.pdf",
        "size": 7,
        "download_count": 1,
        "max_downloads": 3,
        "downloads_left": 2,
    }
    assert file["key"] not in got.body.decode()
    (done,) = wait_for_deliveries(client, token, hook["id"], status="delivered")
    assert done["event"] == "file.downloaded"
    assert done["event_id"] == got.headers["webhook-id"]
    assert done["http_status"] == 204
    assert done["attempt"] == 1


def test_last_download_of_a_limited_link_also_sends_file_consumed(
    client: httpx.Client, receiver: Receiver
) -> None:
    token, _ = watched_account(client, receiver.url)
    file = upload(client, b"once", params={"max_downloads": "1"}, headers=auth(token))

    assert client.get(f"/file/{file['file_url']}").status_code == 200

    sent = {event(got)["type"]: event(got)["data"] for got in receiver.wait_for(2)}
    assert sent["file.downloaded"]["downloads_left"] == 0
    assert sent["file.consumed"] == {
        "file_url": file["file_url"],
        "name": "hello.txt",
        "size": 4,
        "download_count": 1,
        "max_downloads": 1,
    }


def test_delete_and_expiry_send_their_events_and_only_subscribed_ones(
    client: httpx.Client, receiver: Receiver, cleanup_at: Callable[..., object]
) -> None:
    token, _ = watched_account(client, receiver.url, events=["file.deleted", "file.expired"])
    kept = upload(client, b"kept", filename="kept.txt", headers=auth(token))
    brief = upload(
        client, b"brief", filename="brief.txt", params={"expires_in": "1"}, headers=auth(token)
    )

    assert client.get(f"/file/{kept['file_url']}").status_code == 200  # not subscribed
    deleted = client.get(f"/api/delete/{kept['file_url']}", params={"key": kept["key"]})
    assert deleted.status_code == 200
    # Cleanup deletes what expired more than its clock-skew margin ago: run it that much later.
    cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=5))

    sent = {event(got)["type"]: event(got)["data"] for got in receiver.wait_for(2)}
    assert sent["file.deleted"] == {"file_url": kept["file_url"], "name": "kept.txt", "size": 4}
    assert sent["file.expired"]["file_url"] == brief["file_url"]
    assert sent["file.expired"]["expires_at"] == brief["expires_at"]
    time.sleep(0.5)
    assert len(receiver.received) == 2


def test_files_of_other_accounts_and_anonymous_files_send_nothing(
    client: httpx.Client, receiver: Receiver
) -> None:
    watched_account(client, receiver.url)
    _, other = register(client)
    theirs = upload(client, b"theirs", headers=auth(other))
    anonymous = upload(client, b"anonymous")

    assert client.get(f"/file/{theirs['file_url']}").status_code == 200
    assert client.get(f"/file/{anonymous['file_url']}").status_code == 200

    time.sleep(1)
    assert receiver.received == []


def test_failed_delivery_is_retried_after_the_visibility_timeout_with_the_same_id(
    client: httpx.Client, local_receivers: dict[str, str]
) -> None:
    with receiving(Behaviour(statuses=[500])) as receiver:
        token, hook = watched_account(client, receiver.url)
        queued = client.post(f"/api/webhooks/{hook['id']}/test", headers=auth(token))
        assert queued.status_code == 200, queued.text

        first, second = receiver.wait_for(2)

    assert first.headers["webhook-id"] == second.headers["webhook-id"] == queued.json()["event_id"]
    assert first.body == second.body
    assert second.at - first.at >= 0.9  # the test host's visibilityTimeout is one second
    verify(hook["secret"], second.headers, second.body)
    latest, earlier = wait_for_deliveries(client, token, hook["id"], status="delivered")
    assert (latest["status"], latest["attempt"], latest["http_status"]) == ("delivered", 2, 204)
    assert (earlier["status"], earlier["attempt"], earlier["http_status"]) == ("error", 1, 500)
    assert earlier["error"] == "HTTP 500"


def test_events_failing_every_attempt_are_given_up_and_disable_the_endpoint_until_a_test_passes(
    client: httpx.Client, local_receivers: dict[str, str]
) -> None:
    local_receivers["WEBHOOK_DISABLE_AFTER_FAILURES"] = "2"
    with receiving(Behaviour(default=503)) as receiver:
        token, hook = watched_account(client, receiver.url)
        file = upload(client, b"x", headers=auth(token))
        for _ in range(2):
            assert client.post(f"/api/webhooks/{hook['id']}/test", headers=auth(token)).is_success

        found = wait_for_deliveries(client, token, hook["id"], status="failed", count=2)
        assert len(receiver.received) == 6  # maxDequeueCount (3) attempts of each event
        failed = [d for d in found if d["status"] == "failed"]
        assert {d["error"] for d in failed} == {"gave up after 3 attempts: HTTP 503"}
        assert sorted(d["attempt"] for d in found if d["status"] == "error") == [1, 1, 2, 2, 3, 3]
        listed = webhook(client, token, hook["id"])
        assert listed["disabled"] is True
        assert listed["disabled_reason"] == (
            "2 events in a row failed every delivery attempt (last: HTTP 503)"
        )
        assert listed["consecutive_failures"] == 2

        assert client.get(f"/file/{file['file_url']}").status_code == 200  # not sent: disabled
        receiver.behaviour.default = 204
        client.post(f"/api/webhooks/{hook['id']}/test", headers=auth(token))
        wait_for_deliveries(client, token, hook["id"], status="delivered")
        assert client.get(f"/file/{file['file_url']}").status_code == 200  # sent: enabled again

        types = [event(got)["type"] for got in receiver.wait_for(8)]

    assert types == ["webhook.test"] * 7 + ["file.downloaded"]
    listed = webhook(client, token, hook["id"])
    assert (listed["disabled"], listed["disabled_reason"]) == (False, None)
    assert listed["consecutive_failures"] == 0


def test_download_is_not_slowed_by_a_receiver_that_hangs(
    client: httpx.Client, local_receivers: dict[str, str]
) -> None:
    local_receivers["WEBHOOK_TIMEOUT_SECONDS"] = "1"
    with receiving(Behaviour(hang=10)) as receiver:
        token, hook = watched_account(client, receiver.url)
        file = upload(client, b"fast", headers=auth(token), params={"max_downloads": "5"})

        started = time.perf_counter()
        for _ in range(3):
            assert client.get(f"/file/{file['file_url']}").content == b"fast"
        elapsed = time.perf_counter() - started
        receiver.wait_for(1)

        found = wait_for_deliveries(client, token, hook["id"], status="error")

    assert elapsed < 1.5, f"3 downloads took {elapsed:.2f} s beside a receiver hanging 10 s"
    assert found[-1]["error"] == "no answer within 1 s"


def test_redirects_are_not_followed(client: httpx.Client, receiver: Receiver) -> None:
    with receiving(Behaviour(default=307, location=receiver.url)) as redirecting:
        token, hook = watched_account(client, redirecting.url)
        client.post(f"/api/webhooks/{hook['id']}/test", headers=auth(token))

        (attempt, *_) = wait_for_deliveries(client, token, hook["id"], status="error")

    assert attempt["http_status"] == 307
    assert attempt["error"] == "HTTP 307"
    assert receiver.received == []


def test_delivery_to_a_loopback_receiver_is_refused_with_the_guard_on(
    client: httpx.Client, receiver: Receiver, local_receivers: dict[str, str]
) -> None:
    token, hook = watched_account(client, receiver.url.replace("127.0.0.1", "localhost"))
    local_receivers["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] = "false"  # as in Azure

    client.post(f"/api/webhooks/{hook['id']}/test", headers=auth(token))

    (attempt, *_) = wait_for_deliveries(client, token, hook["id"], status="error")
    assert attempt["error"] == "refused: the name resolves to no public address"
    assert attempt["http_status"] is None
    assert receiver.received == []


def test_deliveries_list_is_bounded_and_newest_first(
    client: httpx.Client, receiver: Receiver
) -> None:
    token, hook = watched_account(client, receiver.url)
    for _ in range(3):
        client.post(f"/api/webhooks/{hook['id']}/test", headers=auth(token))

    found = wait_for_deliveries(client, token, hook["id"], status="delivered", count=3)

    times = [d["time"] for d in found]
    assert times == sorted(times, reverse=True)
    assert set(found[0]) == {
        "event_id",
        "event",
        "status",
        "attempt",
        "http_status",
        "error",
        "duration_ms",
        "time",
    }
    assert deliveries(client, token, hook["id"]) == found
