"""Pure rules of notifications: addresses, URLs, events, payloads, messages, secrets, disabling."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from shared.errors import BadRequest
from shared.files.records import FileRecord
from shared.notifications import destinations, events, signing
from shared.notifications.destinations import DestinationRefused, PublicOnlyResolver
from shared.notifications.endpoints import Endpoint, parse_events
from shared.notifications.events import Message
from tests.utils.webhook_spec import Unverified, verify

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
JWT = "j" * 40
RECORD = FileRecord(
    file_url="AbCdEfGhIjKlMnOp",
    key="6b9a1c1b-5594-4cb9-8d49-99a4c28782a1",
    user_filename="notes.txt",
    ext=".txt",
    content_type="text/plain",
    size=12,
    created_at=NOW - timedelta(hours=1),
    expires_at=NOW + timedelta(hours=1),
    max_downloads=2,
    download_count=2,
    blob_etag='"0x1"',
    owner="alice",
)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("168.63.129.16", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, not one bound
        ("255.255.255.255", False),
        ("224.0.0.251", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 around 10.0.0.1
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_is_public_address_refuses_every_non_public_range(address: str, public: bool) -> None:
    assert destinations.is_public_address(address) is public


@pytest.mark.parametrize(
    ("host", "maybe"),
    [
        ("hooks.example.com", True),
        ("HOOKS.EXAMPLE.COM.", True),
        ("93.184.216.34", True),
        ("[2606:2800:220:1:248:1893:25c8:1946]", True),
        ("localhost", False),
        ("api.localhost", False),
        ("nas.local", False),
        ("db.internal", False),
        ("intranet", False),
        ("127.1", False),
        ("0x7f.0.0.1", False),
        ("10.0.0.1", False),
        ("[::1]", False),
    ],
)
def test_may_be_public_judges_a_host_without_dns(host: str, maybe: bool) -> None:
    assert destinations.may_be_public(host) is maybe


def test_check_url_allows_private_destinations_only_when_told() -> None:
    url = "http://127.0.0.1:7072/hook"

    assert destinations.check_url(url, allow_private=True) == url
    with pytest.raises(BadRequest, match="public address"):
        destinations.check_url(url, allow_private=False)


def test_check_url_keeps_a_public_url_as_given() -> None:
    url = "https://hooks.example.com/in?team=7"

    assert destinations.check_url(f"  {url} ", allow_private=False) == url


def test_literal_addresses_are_checked_before_any_connection() -> None:
    assert destinations.literal_refused("http://127.0.0.1:9/")
    assert destinations.literal_refused("http://[::ffff:169.254.169.254]/")
    assert not destinations.literal_refused("https://93.184.216.34/")
    assert not destinations.literal_refused("https://hooks.example.com/")


class _Fixed(AbstractResolver):
    """A resolver answering fixed addresses, standing in for DNS."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {"hostname": host, "host": a, "port": port, "family": family, "proto": 0, "flags": 0}
            for a in self.addresses
        ]

    async def close(self) -> None:
        pass


def _resolve(*addresses: str) -> list[str]:
    found = asyncio.run(PublicOnlyResolver(_Fixed(*addresses)).resolve("rebinding.example", 443))
    return [result["host"] for result in found]


def test_resolver_keeps_only_public_addresses() -> None:
    assert _resolve("93.184.216.34", "127.0.0.1", "10.0.0.1") == ["93.184.216.34"]


def test_resolver_refuses_a_name_with_no_public_address() -> None:
    with pytest.raises(DestinationRefused):
        _resolve("127.0.0.1", "169.254.169.254")


def test_parse_events_keeps_the_documented_order_and_defaults_to_every_event() -> None:
    assert parse_events(None) == events.SUBSCRIBABLE
    assert parse_events(["file.deleted", "file.downloaded", "file.deleted"]) == (
        "file.downloaded",
        "file.deleted",
    )
    with pytest.raises(BadRequest, match=r"unknown event 'webhook\.test'"):
        parse_events(["webhook.test"])
    with pytest.raises(BadRequest, match="non-empty list"):
        parse_events([1])


def test_file_payloads_name_the_file_and_never_carry_its_key() -> None:
    built = [
        events.file_downloaded(RECORD),
        events.file_consumed(RECORD),
        events.file_expired(RECORD),
        events.file_deleted(RECORD),
    ]

    for event in built:
        body = event.body(NOW)
        assert RECORD.key not in body
        assert json.loads(body)["data"]["file_url"] == RECORD.file_url
        assert json.loads(body)["data"]["name"] == "notes.txt"
    assert json.loads(built[0].body(NOW)) == {
        "type": "file.downloaded",
        "timestamp": "2026-03-01T12:00:00Z",
        "data": {
            "file_url": RECORD.file_url,
            "name": "notes.txt",
            "size": 12,
            "download_count": 2,
            "max_downloads": 2,
            "downloads_left": 0,
        },
    }


def test_share_payload_builders_are_ready_for_shares() -> None:
    downloaded = events.share_downloaded(
        share_id="s1", name="album", download_count=3, downloads_left=None
    )
    received = events.reverse_share_received(
        share_id="s2", file_url=RECORD.file_url, name="scan.pdf", size=9
    )

    assert downloaded.type == "share.downloaded"
    assert received.type == "reverse_share.received"
    assert received.data == {
        "share_id": "s2",
        "file_url": RECORD.file_url,
        "name": "scan.pdf",
        "size": 9,
    }


def test_message_survives_the_queue_and_refuses_anything_else() -> None:
    message = Message.new("u:alice", "wh_0123456789abcdef", events.file_deleted(RECORD), NOW)

    assert Message.decode(message.encode()) == message
    assert Message.decode(message.encode().encode()) == message
    assert message.event_id.startswith("msg_")
    for junk in ["", "[]", "{}", '{"v": 2}', "not json", '{"v": 1, "id": 5}']:
        assert Message.decode(junk) is None


def test_signature_verifies_with_an_independent_implementation_of_the_spec() -> None:
    secret = signing.new_secret()
    body = events.file_deleted(RECORD).body(datetime.now(UTC))
    headers = signing.signature_headers(
        secret, message_id="msg_1", now=datetime.now(UTC), body=body
    )

    verify(secret, headers, body.encode())
    with pytest.raises(Unverified):
        verify(secret, headers, body.encode() + b" ")
    with pytest.raises(Unverified):
        verify(signing.new_secret(), headers, body.encode())
    with pytest.raises(Unverified):
        verify(secret, {**headers, "webhook-id": "msg_2"}, body.encode())


def test_signature_headers_follow_the_spec_shapes() -> None:
    secret = signing.new_secret()

    headers = signing.signature_headers(secret, message_id="msg_1", now=NOW, body="{}")

    assert secret.startswith("whsec_")
    assert len(secret) == len("whsec_") + 32
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")


def test_sealed_secret_opens_only_with_the_same_jwt_secret_and_row() -> None:
    sealed = signing.seal("whsec_abc", jwt_secret=JWT, context="u:alice/wh_1")

    assert "whsec_abc" not in sealed
    assert signing.unseal(sealed, jwt_secret=JWT, context="u:alice/wh_1") == "whsec_abc"
    assert signing.unseal(sealed, jwt_secret="k" * 40, context="u:alice/wh_1") is None
    assert signing.unseal(sealed, jwt_secret=JWT, context="u:mallory/wh_1") is None
    assert signing.unseal("garbage!", jwt_secret=JWT, context="u:alice/wh_1") is None


def _endpoint(failures: int = 0, reason: str | None = None) -> Endpoint:
    return Endpoint(
        "u:alice", "wh_1", "https://h.example/", ("file.deleted",), "x", NOW, failures, reason
    )


def test_giving_up_counts_failures_and_disables_at_the_threshold() -> None:
    once = _endpoint().after_giving_up(threshold=3, last_error="HTTP 500", now=NOW)
    third = _endpoint(2).after_giving_up(threshold=3, last_error="HTTP 500", now=NOW)

    assert (once.failures, once.disabled) == (1, False)
    assert (third.failures, third.disabled, third.disabled_at) == (3, True, NOW)
    assert (
        third.disabled_reason == "3 events in a row failed every delivery attempt (last: HTTP 500)"
    )


def test_giving_up_on_a_disabled_endpoint_keeps_its_first_reason() -> None:
    disabled = _endpoint(3, "first reason")

    later = disabled.after_giving_up(threshold=3, last_error="HTTP 404", now=NOW)

    assert (later.failures, later.disabled_reason) == (4, "first reason")
