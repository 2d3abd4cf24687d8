"""The address a rate limit counts against: the TCP peer locally, the front end's word in Azure."""

from __future__ import annotations

import pytest

from shared.http.client_address import client_address

PEER = "10.0.0.5"


@pytest.mark.parametrize(
    "forwarded_for", [None, "", "203.0.113.7", "198.51.100.1, 203.0.113.9", "2001:db8::1"]
)
def test_locally_the_tcp_peer_counts_whatever_x_forwarded_for_says(
    forwarded_for: str | None,
) -> None:
    assert client_address(PEER, forwarded_for, behind_front_end=False) == PEER


def test_locally_without_a_peer_every_request_shares_one_bucket() -> None:
    assert client_address(None, "203.0.113.7", behind_front_end=False) == "unknown"


def test_in_azure_the_last_x_forwarded_for_entry_counts() -> None:
    forwarded_for = "192.0.2.1, 198.51.100.1,203.0.113.9"

    assert client_address(PEER, forwarded_for, behind_front_end=True) == "203.0.113.9"


def test_in_azure_entries_the_client_wrote_before_the_front_ends_are_ignored() -> None:
    assert client_address(PEER, "not-an-address, 203.0.113.9", behind_front_end=True) == (
        "203.0.113.9"
    )


@pytest.mark.parametrize("forwarded_for", [None, "", "203.0.113.9, not-an-address", "unknown"])
def test_in_azure_without_a_readable_last_entry_the_tcp_peer_counts(
    forwarded_for: str | None,
) -> None:
    assert client_address(PEER, forwarded_for, behind_front_end=True) == PEER


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("203.0.113.9:52814", "203.0.113.9"),
        ("[2001:db8::7]:52814", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("[2001:db8::7]", "2001:db8::7"),
        ("[2001:0DB8:0:0::7]:443", "2001:db8::7"),
    ],
)
def test_in_azure_every_form_the_front_end_writes_is_read(entry: str, address: str) -> None:
    assert client_address(PEER, f"198.51.100.1, {entry}", behind_front_end=True) == address


@pytest.mark.parametrize(
    "entry",
    [
        "203.0.113.9:port",
        "203.0.113.9:123456",
        "203.0.113.9:",
        "[2001:db8::7",
        "[2001:db8::7]:",
        "[2001:db8::7]x",
        "[203.0.113.9:80]",
        "2001:db8::7:443:",
        "[]:80",
        "203.0.113.9:٣",
    ],
)
def test_in_azure_a_malformed_last_entry_falls_back_to_the_tcp_peer(entry: str) -> None:
    assert client_address(PEER, entry, behind_front_end=True) == PEER
