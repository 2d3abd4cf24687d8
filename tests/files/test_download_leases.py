"""A limited file's claim is a lease: what a broken-off or crashed download leaves of a link.

The clients here are raw sockets, so a test decides exactly how much it reads before it drops the
connection (with a reset, as a killed client does).
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from tests.utils.files import random_bytes, upload
from tests.utils.settings import MIB
from tests.utils.storage import StorageProbe


def _read_then_drop(base_url: str, path: str, body_bytes: int) -> bytes:
    """GET `path`, read the headers and `body_bytes` of the body, then reset the connection."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        while len(body) < body_bytes:
            body += sock.recv(65536)
        # Linger 0: close() sends a reset, the way a killed client's connection ends.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return head


def _eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_break_off_after_the_first_64_kib_keeps_a_one_time_link_used(
    client: httpx.Client, base_url: str, storage: StorageProbe
) -> None:
    body = upload(client, random_bytes(8 * MIB), filename="big.bin", params={"max_downloads": "1"})
    link = f"/file/{body['file_url']}"

    head = _read_then_drop(base_url, link, 256 * 1024)

    assert head.startswith(b"HTTP/1.1 200")
    assert _eventually(lambda: storage.file_row(body["file_url"]) is None)
    assert not storage.blob_exists(body["file_url"])
    assert client.get(link).status_code == 404


def test_break_off_before_the_content_gives_a_one_time_link_back(
    client: httpx.Client, base_url: str, storage: StorageProbe
) -> None:
    content = random_bytes(8 * MIB)
    body = upload(client, content, filename="big.bin", params={"max_downloads": "1"})
    link = f"/file/{body['file_url']}"

    def given_back() -> bool:
        row = storage.file_row(body["file_url"])
        return row is not None and row["download_count"] == 0 and row.get("leased", 0) == 0

    head = _read_then_drop(base_url, link, 0)

    assert head.startswith(b"HTTP/1.1 200")
    assert _eventually(given_back)
    again = client.get(link)
    assert again.status_code == 200
    assert again.content == content
    assert client.get(link).status_code == 404


def test_claim_left_by_a_crashed_host_is_given_back_when_its_lease_ends(
    client: httpx.Client, storage: StorageProbe
) -> None:
    body = upload(client, b"once", filename="o.txt", params={"max_downloads": "1"})
    link = f"/file/{body['file_url']}"
    now = datetime.now(UTC)
    # A host claimed the only download, then died mid-transfer: nothing settled the claim.
    claimed = {"download_count": 1, "leased": 1}

    storage.merge_file_row(body["file_url"], {**claimed, "lease_until": now + timedelta(hours=1)})
    while_leased = client.get(link)
    storage.merge_file_row(body["file_url"], {**claimed, "lease_until": now - timedelta(seconds=1)})
    after_lease = client.get(link)

    assert while_leased.status_code == 404
    assert after_lease.status_code == 200
    assert after_lease.content == b"once"
    assert client.get(link).status_code == 404
    assert storage.file_row(body["file_url"]) is None
