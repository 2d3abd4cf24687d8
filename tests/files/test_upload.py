"""POST /api/upload/{group_id} and PUT /api/upload/{group_id}/{filename}, through HTTP."""

from __future__ import annotations

import re
import socket
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.utils.files import random_bytes, upload
from tests.utils.settings import MIB
from tests.utils.storage import StorageProbe


def test_upload_returns_contract_fields(client: httpx.Client, base_url: str) -> None:
    body = upload(client, b"contract\n", filename="notes.txt")

    assert body["status"] == "success"
    assert body["message"] == "File uploaded successfully"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", body["file_url"])
    assert body["file_url_full"] == f"{base_url}/file/{body['file_url']}"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["key"])
    assert body["ext"] == ".txt"
    assert body["user_filename"] == "notes.txt"
    assert body["synced"] is False
    assert body["size"] == 9
    assert body["content_type"] == "text/plain"
    assert body["max_downloads"] is None
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=1))) < timedelta(seconds=30)


def test_upload_without_token_reports_missing_header(client: httpx.Client) -> None:
    body = upload(client)

    assert body["auth_error"] == {"message": "No Authorization header provided", "errorId": -1}


def test_upload_with_malformed_authorization_reports_format_error(client: httpx.Client) -> None:
    body = upload(client, headers={"Authorization": "Token abc"})

    assert body["synced"] is False
    assert body["auth_error"]["errorId"] == -2


def test_upload_stores_bytes_in_blob_storage(client: httpx.Client, storage: StorageProbe) -> None:
    content = random_bytes(5 * MIB + 123)  # more than one 4 MiB block

    body = upload(client, content, filename="data.bin")

    assert storage.blob_exists(body["file_url"])
    assert client.get(f"/file/{body['file_url']}").content == content
    row = storage.file_row(body["file_url"])
    assert row is not None
    assert row["size"] == len(content)


def test_upload_file_urls_are_unique_and_random(client: httpx.Client) -> None:
    urls = {upload(client)["file_url"] for _ in range(20)}

    assert len(urls) == 20
    assert not any(url.isdigit() for url in urls)


def test_upload_include_ext_appends_extension(client: httpx.Client) -> None:
    body = upload(client, filename="movie.MP4", params={"include_ext": "true"})

    assert body["file_url"].endswith(".mp4")
    assert body["ext"] == ".mp4"
    assert client.get(f"/file/{body['file_url']}").status_code == 200


def test_upload_options_as_form_fields_after_the_file(client: httpx.Client) -> None:
    # curl -F file=@x -F max_downloads=1 sends the option after the file part.
    response = client.post(
        "/api/upload/private",
        files=[
            ("file", ("a.txt", b"a")),
            ("max_downloads", (None, "1")),
            ("expires_in", (None, "60")),
        ],
    )

    assert response.status_code == 200
    assert response.json()["max_downloads"] == 1
    expires = datetime.strptime(response.json()["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires.replace(tzinfo=UTC) - datetime.now(UTC) < timedelta(seconds=70)


def test_upload_sanitises_path_in_filename(client: httpx.Client) -> None:
    body = upload(client, filename="../../etc/passwd")

    assert body["user_filename"] == "passwd"


def test_upload_accept_text_plain_returns_only_the_link(client: httpx.Client) -> None:
    response = client.post(
        "/api/upload/private", files={"file": ("a.txt", b"a")}, headers={"Accept": "text/plain"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/file/[A-Za-z0-9_-]{16}\n", response.text)


def test_upload_accept_text_plain_answers_a_delete_link_that_works(client: httpx.Client) -> None:
    response = client.post(
        "/api/upload/private", files={"file": ("a.txt", b"a")}, headers={"Accept": "text/plain"}
    )
    link = response.text.strip()

    delete = client.get(response.headers["X-Url-Delete"])

    assert response.status_code == 200
    assert delete.status_code == 200, delete.text
    assert delete.json() == {"status": "success", "message": "File deleted successfully"}
    assert client.get(link).status_code == 404


def test_upload_uses_public_base_url_when_set(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["PUBLIC_BASE_URL"] = "https://share.example.org"

    body = upload(client)

    assert body["file_url_full"] == f"https://share.example.org/file/{body['file_url']}"


def test_raw_put_upload_returns_same_shape(client: httpx.Client) -> None:
    response = client.put("/api/upload/private/report.pdf", content=b"%PDF-1.4 fake")

    assert response.status_code == 200
    body = response.json()
    assert body["user_filename"] == "report.pdf"
    assert body["content_type"] == "application/pdf"
    assert client.get(f"/file/{body['file_url']}").content == b"%PDF-1.4 fake"


@pytest.mark.parametrize(
    ("files", "data"),
    [
        ({"other": ("a.txt", b"a")}, None),
        (None, {"file": "not a file"}),
    ],
)
def test_upload_without_file_part_is_400(
    client: httpx.Client, files: dict[str, tuple[str, bytes]] | None, data: dict[str, str] | None
) -> None:
    response = client.post("/api/upload/private", files=files, data=data)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "No file uploaded"}


def test_upload_that_is_not_multipart_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/api/upload/private", content=b"hello", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "No file uploaded"}


def test_upload_with_truncated_multipart_is_400(
    client: httpx.Client, storage: StorageProbe
) -> None:
    before = storage.snapshot()
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\nhalf a fi'
    )

    response = client.post(
        "/api/upload/private",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )

    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert storage.snapshot() == before


def test_upload_to_a_group_without_accounts_is_401(client: httpx.Client) -> None:
    response = client.post("/api/upload/12345678", files={"file": ("a.txt", b"a")})

    assert response.status_code == 401
    assert response.json() == {
        "status": "error",
        "message": "Auth error",
        "auth_error": {"message": "No Authorization header provided", "errorId": -1},
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("expires_in", "0"),
        ("expires_in", "86401"),
        ("expires_in", "soon"),
        ("max_downloads", "0"),
        ("max_downloads", "-1"),
        ("max_downloads", "1.5"),
    ],
)
def test_upload_with_invalid_option_is_400_and_leaves_nothing(
    client: httpx.Client, storage: StorageProbe, name: str, value: str
) -> None:
    before = storage.snapshot()

    response = client.post(
        "/api/upload/private", files={"file": ("a.txt", b"a")}, params={name: value}
    )

    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert name in response.json()["message"]
    assert storage.snapshot() == before


def _too_large_limit() -> int:
    return 9 * MIB


def test_upload_over_limit_is_413_and_leaves_nothing(
    client: httpx.Client, storage: StorageProbe
) -> None:
    before = storage.snapshot()

    response = client.post(
        "/api/upload/private", files={"file": ("big.bin", random_bytes(_too_large_limit() + 1))}
    )

    assert response.status_code == 413
    assert response.json() == {"status": "error", "message": "File size exceeds the limit (9MB)"}
    assert storage.snapshot() == before


def test_upload_exactly_at_limit_is_accepted(client: httpx.Client) -> None:
    response = client.put("/api/upload/private/edge.bin", content=random_bytes(_too_large_limit()))

    assert response.status_code == 200
    assert response.json()["size"] == _too_large_limit()


def test_chunked_upload_over_limit_is_refused_before_the_body_ends(
    base_url: str, storage: StorageProbe
) -> None:
    """No Content-Length: the limit is enforced while streaming, without waiting for the rest."""
    before = storage.snapshot()
    host, port = base_url.removeprefix("http://").split(":")
    total_chunks = 64  # 64 MiB offered; the limit is 9 MiB
    sent = 0

    with socket.create_connection((host, int(port)), timeout=20) as sock:

        def send_body() -> None:
            nonlocal sent
            chunk = b"%x\r\n%s\r\n" % (MIB, b"\0" * MIB)
            try:
                for _ in range(total_chunks):
                    sock.sendall(chunk)
                    sent += 1
            except OSError:
                pass  # the server closed the connection: it stopped reading

        sock.sendall(
            b"PUT /api/upload/private/endless.bin HTTP/1.1\r\nHost: test\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
        status_line = sock.makefile("rb").readline()
        answered_after = sent

    assert status_line.startswith(b"HTTP/1.1 413")
    assert answered_after < total_chunks
    sender.join(timeout=20)
    assert storage.snapshot() == before


def test_raw_upload_with_invalid_option_is_refused_before_the_body(base_url: str) -> None:
    """A bad query option answers 400 at once: the client need not send a byte of the file."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"PUT /api/upload/private/big.bin?expires_in=0 HTTP/1.1\r\nHost: test\r\n"
            b"Content-Length: 8000000\r\n\r\n"
        )
        status_line = sock.makefile("rb").readline()  # no body sent at all

    assert status_line.startswith(b"HTTP/1.1 400")
