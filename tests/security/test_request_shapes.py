"""Request shapes that once answered 500 or were held in memory without limit."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.utils.files import upload
from tests.utils.storage import StorageProbe

HUGE = "9" * 5000  # beyond Python's 4300-digit limit on int(str)


@pytest.mark.parametrize(
    ("header", "status"),
    [(f"bytes={HUGE}-", 416), (f"bytes=0-{HUGE}", 206), (f"bytes=-{HUGE}", 206)],
    ids=["first", "last", "suffix"],
)
def test_range_with_thousands_of_digits_is_416_or_the_whole_file(
    client: httpx.Client, header: str, status: int
) -> None:
    file_url = upload(client, b"0123456789", filename="digits.bin")["file_url"]

    response = client.get(f"/file/{file_url}", headers={"Range": header})

    assert response.status_code == status
    if status == 416:
        assert response.headers["content-range"] == "bytes */10"
        assert response.json() == {"status": "error", "message": "Requested range not satisfiable"}
    else:
        assert response.headers["content-range"] == "bytes 0-9/10"
        assert response.content == b"0123456789"


def _form(fields: list[tuple[str, bytes]], boundary: str = "b0undary") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in fields
    ]
    file_part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + b"x\r\n"
    return b"".join(parts) + file_part + f"--{boundary}--\r\n".encode()


def _post_form(client: httpx.Client, body: bytes | Iterator[bytes]) -> httpx.Response:
    return client.post(
        "/api/upload/private",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
    )


def test_upload_with_more_than_twenty_form_fields_is_400(
    client: httpx.Client, storage: StorageProbe
) -> None:
    before = storage.snapshot()

    response = _post_form(client, _form([(f"f{i}", b"v") for i in range(21)]))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Too many form fields (20 at most)"}
    assert storage.snapshot() == before


def test_upload_with_a_form_field_over_4_kib_is_413(
    client: httpx.Client, storage: StorageProbe
) -> None:
    before = storage.snapshot()

    response = _post_form(client, _form([("expires_in", b"1" * 4097)]))

    assert response.status_code == 413
    assert response.json() == {
        "status": "error",
        "message": "Form field 'expires_in' is too long (4 KiB at most)",
    }
    assert storage.snapshot() == before


def test_upload_of_twenty_small_fields_is_accepted(client: httpx.Client) -> None:
    fields = [("expires_in", b"60"), *((f"note{i}", b"n" * 4096) for i in range(19))]

    response = _post_form(client, _form(fields))

    assert response.status_code == 200, response.text


def test_chunked_upload_of_endless_form_fields_is_refused_early(base_url: str) -> None:
    address = urlsplit(base_url)
    field = b"v" * 60 * 1024
    sent = 0
    answer = b""
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/upload/private HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: multipart/form-data; boundary=b0undary\r\n\r\n"
        )
        # Up to about 120 MiB of fields (MAX_UPLOAD_BYTES is 9 MiB): the answer must come first.
        for i in range(2000):
            part = b'--b0undary\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n' % i
            chunk = part + field + b"\r\n"
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break  # the server closed the connection after answering
            sent += len(chunk)
            if select.select([sock], [], [], 0.01)[0]:
                break
        answer = sock.recv(65536)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Form field 'f0' is too long (4 KiB at most)" in answer
    assert sent < 4 * 1024 * 1024
