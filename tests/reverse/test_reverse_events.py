"""A file received through an upload link tells the owner's webhooks (reverse_share.received)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.utils.accounts import auth
from tests.utils.receiver import Receiver, receiving
from tests.utils.reverse import create_link, send
from tests.utils.webhook_spec import verify
from tests.utils.webhooks import watched_account


@pytest.fixture
def receiver(settings_env: dict[str, str]) -> Iterator[Receiver]:
    settings_env["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] = "true"  # a loopback receiver
    with receiving() as started:
        yield started


def test_received_file_sends_a_signed_reverse_share_received_event(
    client: httpx.Client, receiver: Receiver
) -> None:
    token, hook = watched_account(client, receiver.url, ["reverse_share.received"])
    link = create_link(client, token)

    assert send(client, link["id"], b"for you", filename="invoice.pdf").status_code == 200

    (got,) = receiver.wait_for(1)
    verify(hook["secret"], got.headers, got.body)
    sent = json.loads(got.body)
    (entry,) = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert sent["type"] == "reverse_share.received"
    assert sent["data"] == {
        "share_id": link["id"],
        "file_url": entry["file_url"],
        "name": "invoice.pdf",
        "size": 7,
    }
    assert entry["key"] not in got.body.decode()
