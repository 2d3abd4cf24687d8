"""The queue holds events across a host restart: nothing queued is lost, nothing is sent twice.

Its own Azurite and local host processes (`python -m devhost`), so the session host's queue
trigger cannot take the message first: the first host runs with the delivery function disabled
(`AzureWebJobs.deliver_webhook.Disabled`, as in Azure), the second one delivers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from devhost import azurite
from tests.utils.accounts import auth, register
from tests.utils.files import upload
from tests.utils.receiver import Receiver, receiving
from tests.utils.server import ROOT
from tests.utils.settings import TEST_SETTINGS
from tests.utils.webhook_spec import verify
from tests.utils.webhooks import add_webhook, event


@pytest.fixture
def own_azurite() -> Iterator[azurite.AzuritePorts]:
    with azurite.running_in_memory() as ports:
        yield ports


@contextmanager
def _host(ports: azurite.AzuritePorts, log: Path, **settings: str) -> Iterator[httpx.Client]:
    port = azurite.free_port()
    env = {
        **os.environ,
        **TEST_SETTINGS,
        "PORT": str(port),
        "STORAGE_CONNECTION_STRING": ports.connection_string(),
        "AzureWebJobsStorage": ports.connection_string(),
        "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": "true",
        "APPLICATIONINSIGHTS_CONNECTION_STRING": "",
        **settings,
    }
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "devhost"], cwd=ROOT, env=env, stdout=sink, stderr=sink
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the local host did not start"
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _waiting(ports: azurite.AzuritePorts) -> int:
    """Messages in the webhooks queue (none before the app first writes to it)."""
    queue = QueueClient.from_connection_string(ports.connection_string(), "webhooks")
    with queue:
        try:
            return len(list(queue.peek_messages(max_messages=32)))
        except ResourceNotFoundError:
            return 0


def test_an_event_queued_before_a_restart_is_delivered_after_it(
    own_azurite: azurite.AzuritePorts, tmp_path: Path
) -> None:
    log = tmp_path / "hosts.log"
    receiver: Receiver
    with receiving() as receiver:
        with _host(own_azurite, log, **{"AzureWebJobs.deliver_webhook.Disabled": "true"}) as client:
            _, token = register(client)
            _, quiet = register(client)
            hook = add_webhook(client, token, receiver.url)
            watched = upload(client, b"watched", headers=auth(token))
            unwatched = upload(client, b"unwatched", headers=auth(quiet))

            assert client.get(f"/file/{unwatched['file_url']}").status_code == 200
            assert client.get(f"/file/{watched['file_url']}").status_code == 200

            deadline = time.monotonic() + 10
            while _waiting(own_azurite) < 1:  # queued in the background, just after the answer
                assert time.monotonic() < deadline, "the event was not queued"
                time.sleep(0.05)
            time.sleep(0.5)
            assert _waiting(own_azurite) == 1  # one event; an account without webhooks wrote none
        assert receiver.received == []

        with _host(own_azurite, log):
            (got,) = receiver.wait_for(1)
            time.sleep(0.5)
            assert len(receiver.received) == 1

    verify(hook["secret"], got.headers, got.body)
    assert event(got)["type"] == "file.downloaded"
    assert event(got)["data"]["file_url"] == watched["file_url"]
    assert _waiting(own_azurite) == 0
