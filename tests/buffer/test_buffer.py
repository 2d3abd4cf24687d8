"""The cloud buffer: /api/buffer and /api/buffer/history, per account, bytes in Blob Storage."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.accounts import assert_auth_error, auth, register
from tests.utils.files import random_bytes
from tests.utils.storage import StorageProbe

NO_FILENAME = (
    "A file needs a filename: send it in X-Filename, as filename= in Content-Disposition, "
    "or as multipart/form-data with the file in field 'file'"
)
EMPTY = {"status": "error", "message": "Buffer is empty"}
ITEM_NOT_FOUND = {"status": "error", "message": "Buffer item not found"}


def post_text(client: httpx.Client, token: str, text: str) -> dict[str, Any]:
    response = client.post(
        "/api/buffer", content=text.encode(), headers={**auth(token), "X-Data-Type": "text"}
    )
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()["item"]
    return item


def post_file(client: httpx.Client, token: str, name: str, content: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/buffer",
        content=content,
        headers={**auth(token), "X-Data-Type": "file", "X-Filename": name},
    )
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()["item"]
    return item


def history(client: httpx.Client, token: str) -> list[dict[str, Any]]:
    response = client.get("/api/buffer/history", headers=auth(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]
    return items


def buffer_blobs(storage: StorageProbe) -> set[str]:
    return {name for name in storage.blob_names() if name.startswith("b/")}


def buffer_rows(storage: StorageProbe, item_id: str) -> list[dict[str, Any]]:
    table = storage.tables.get_table_client("buffer")
    return list(table.query_entities("RowKey eq @id", parameters={"id": item_id}))


def test_post_text_then_get_returns_it_as_utf8_text(client: httpx.Client) -> None:
    _, token = register(client)
    text = "Grüße from the laptop ✓\n"

    item = post_text(client, token, text)
    response = client.get("/api/buffer", headers=auth(token))

    assert item["type"] == "text"
    assert item["name"] is None
    assert item["size"] == len(text.encode())
    assert response.status_code == 200
    assert response.text == text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-data-type"] == "text"
    assert response.headers["x-item-id"] == item["id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["cache-control"] == "no-store"
    assert "content-disposition" not in response.headers


def test_post_file_then_get_returns_an_attachment_with_its_name(client: httpx.Client) -> None:
    _, token = register(client)
    content = b"%PDF-1.4 not really\n"

    item = post_file(client, token, "report.pdf", content)
    response = client.get("/api/buffer", headers=auth(token))

    assert item["type"] == "file"
    assert item["name"] == "report.pdf"
    assert item["content_type"] == "application/pdf"
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["x-data-type"] == "file"
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


def test_post_file_named_by_content_disposition_keeps_a_unicode_name(
    client: httpx.Client,
) -> None:
    _, token = register(client)

    response = client.post(
        "/api/buffer",
        content=b"<h1>hi</h1>",
        headers={
            **auth(token),
            "X-Data-Type": "file",
            "Content-Disposition": "attachment; filename*=UTF-8''%E2%82%AC%20page.html",
        },
    )
    served = client.get("/api/buffer", headers=auth(token))

    assert response.status_code == 200
    assert response.json()["item"]["name"] == "€ page.html"
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"] == (
        "attachment; filename=\"_ page.html\"; filename*=UTF-8''%E2%82%AC%20page.html"
    )


def test_post_file_as_multipart_stores_only_the_file_part(client: httpx.Client) -> None:
    _, token = register(client)
    content = random_bytes(5 * 1024 * 1024 + 17)  # more than one 4 MiB block

    response = client.post(
        "/api/buffer",
        data={"note": "ignored"},
        files={"file": ("photo.jpg", content, "image/jpeg")},
        headers={**auth(token), "X-Data-Type": "file"},
    )
    served = client.get("/api/buffer", headers=auth(token))

    assert response.status_code == 200
    assert response.json()["item"]["size"] == len(content)
    assert served.content == content
    assert served.headers["content-length"] == str(len(content))
    assert served.headers["content-disposition"].startswith('attachment; filename="photo.jpg"')


def test_post_file_with_a_streamed_body_round_trips(client: httpx.Client) -> None:
    _, token = register(client)
    chunks = [random_bytes(1024 * 1024) for _ in range(6)]

    def body() -> Iterator[bytes]:
        yield from chunks

    response = client.post(
        "/api/buffer",
        content=body(),
        headers={**auth(token), "X-Data-Type": "file", "X-Filename": "big.bin"},
    )

    assert response.status_code == 200
    assert client.get("/api/buffer", headers=auth(token)).content == b"".join(chunks)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Data-Type": "file"},
        {"X-Data-Type": "file", "X-Filename": ""},
        {"X-Data-Type": "file", "Content-Disposition": "attachment"},
    ],
)
def test_post_file_without_filename_is_400(
    client: httpx.Client, storage: StorageProbe, headers: dict[str, str]
) -> None:
    _, token = register(client)
    before = buffer_blobs(storage)

    response = client.post("/api/buffer", content=b"data", headers={**auth(token), **headers})

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": NO_FILENAME}
    assert client.get("/api/buffer", headers=auth(token)).json() == EMPTY
    assert buffer_blobs(storage) == before


def test_post_multipart_without_a_file_part_is_400(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post(
        "/api/buffer",
        data={"file": "not a file part"},
        files={"other": ("x.txt", b"x")},
        headers={**auth(token), "X-Data-Type": "file"},
    )

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": NO_FILENAME}


@pytest.mark.parametrize("data_type", [None, "", "image", "texts"])
def test_post_with_bad_data_type_is_400(client: httpx.Client, data_type: str | None) -> None:
    _, token = register(client)
    headers = auth(token) if data_type is None else {**auth(token), "X-Data-Type": data_type}

    response = client.post("/api/buffer", content=b"data", headers=headers)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "X-Data-Type must be text or file"}


def test_post_data_type_is_case_insensitive(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post(
        "/api/buffer", content=b"hi", headers={**auth(token), "X-Data-Type": "TEXT"}
    )

    assert response.status_code == 200
    assert response.json()["item"]["type"] == "text"


def test_post_over_size_limit_is_413_and_leaves_nothing(
    client: httpx.Client, storage: StorageProbe, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_UPLOAD_BYTES"] = "1000"
    _, token = register(client)
    before = buffer_blobs(storage), storage.expiry_rows()

    def body() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        yield b"x" * 600
        yield b"x" * 600

    declared = client.post(
        "/api/buffer", content=b"x" * 1001, headers={**auth(token), "X-Data-Type": "text"}
    )
    streamed = client.post(
        "/api/buffer", content=body(), headers={**auth(token), "X-Data-Type": "text"}
    )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {
            "status": "error",
            "message": "File size exceeds the limit (1000 bytes)",
        }
    assert (buffer_blobs(storage), storage.expiry_rows()) == before
    assert history(client, token) == []


def test_post_replaces_the_buffer_content(client: httpx.Client) -> None:
    _, token = register(client)
    post_text(client, token, "first")

    second = post_file(client, token, "second.txt", b"second")
    response = client.get("/api/buffer", headers=auth(token))

    assert response.content == b"second"
    assert response.headers["x-item-id"] == second["id"]
    assert response.headers["x-data-type"] == "file"


def test_get_empty_buffer_is_404(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.get("/api/buffer", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == EMPTY


def test_history_lists_newest_first_and_keeps_the_last_buffer_history_items(
    client: httpx.Client, storage: StorageProbe, settings_env: dict[str, str], base_url: str
) -> None:
    settings_env["BUFFER_HISTORY"] = "3"
    _, token = register(client)
    posted = [
        post_text(client, token, "one"),
        post_file(client, token, "two.txt", b"two!"),
        post_text(client, token, "three"),
        post_file(client, token, "four.bin", b"4444"),
        post_text(client, token, "five"),
    ]

    listed = history(client, token)

    assert listed == list(reversed(posted[2:]))
    assert [(i["type"], i["name"], i["size"]) for i in listed] == [
        ("text", None, 4),
        ("file", "four.bin", 4),
        ("text", None, 5),
    ]
    assert listed[0]["url"] == f"{base_url}/api/buffer/history/{posted[4]['id']}"
    assert set(listed[0]) == {
        "id",
        "type",
        "name",
        "size",
        "content_type",
        "created_at",
        "expires_at",
        "url",
    }
    blobs = buffer_blobs(storage)
    for gone in posted[:2]:
        assert f"b/{gone['id']}" not in blobs
        assert buffer_rows(storage, gone["id"]) == []
        response = client.get(f"/api/buffer/history/{gone['id']}", headers=auth(token))
        assert response.status_code == 404
        assert response.json() == ITEM_NOT_FOUND
    assert all(f"b/{kept['id']}" in blobs for kept in posted[2:])


def test_get_history_item_returns_its_content_and_headers(client: httpx.Client) -> None:
    _, token = register(client)
    older = post_file(client, token, "notes.txt", b"older notes")
    post_text(client, token, "newer")

    response = client.get(f"/api/buffer/history/{older['id']}", headers=auth(token))

    assert response.status_code == 200
    assert response.content == b"older notes"
    assert response.headers["x-data-type"] == "file"
    assert response.headers["x-item-id"] == older["id"]
    assert response.headers["content-disposition"].startswith('attachment; filename="notes.txt"')


@pytest.mark.parametrize("item_id", ["0" * 29, "nope", "A" * 29])
def test_get_unknown_history_item_is_404(client: httpx.Client, item_id: str) -> None:
    _, token = register(client)

    response = client.get(f"/api/buffer/history/{item_id}", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == ITEM_NOT_FOUND


def test_delete_history_item_removes_only_it(client: httpx.Client, storage: StorageProbe) -> None:
    _, token = register(client)
    older = post_text(client, token, "older")
    newer = post_text(client, token, "newer")

    response = client.delete(f"/api/buffer/history/{newer['id']}", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Buffer item deleted"}
    assert [item["id"] for item in history(client, token)] == [older["id"]]
    assert client.get("/api/buffer", headers=auth(token)).content == b"older"
    assert f"b/{newer['id']}" not in buffer_blobs(storage)
    again = client.delete(f"/api/buffer/history/{newer['id']}", headers=auth(token))
    assert again.status_code == 404
    assert again.json() == ITEM_NOT_FOUND


def test_delete_buffer_clears_content_history_and_bytes(
    client: httpx.Client, storage: StorageProbe
) -> None:
    _, token = register(client)
    items = [post_text(client, token, "a"), post_file(client, token, "b.txt", b"b")]

    response = client.delete("/api/buffer", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Buffer cleared", "deleted": 2}
    assert client.get("/api/buffer", headers=auth(token)).json() == EMPTY
    assert history(client, token) == []
    blobs, expiry = buffer_blobs(storage), storage.expiry_rows()
    for item in items:
        assert f"b/{item['id']}" not in blobs
        assert not any(row.startswith(f"buffer:{item['id']}:") for row in expiry)


def test_another_users_token_cannot_reach_your_buffer(client: httpx.Client) -> None:
    _, alice = register(client)
    _, bob = register(client)
    item = post_text(client, alice, "alice's secret")

    own = client.get("/api/buffer", headers=auth(bob))
    by_id = client.get(f"/api/buffer/history/{item['id']}", headers=auth(bob))
    delete = client.delete(f"/api/buffer/history/{item['id']}", headers=auth(bob))
    client.delete("/api/buffer", headers=auth(bob))

    assert own.status_code == 404
    assert own.json() == EMPTY
    assert by_id.status_code == 404
    assert by_id.json() == ITEM_NOT_FOUND
    assert delete.status_code == 404
    assert history(client, bob) == []
    assert client.get("/api/buffer", headers=auth(alice)).text == "alice's secret"


def test_buffer_belongs_to_the_account_whatever_the_login_case(client: httpx.Client) -> None:
    username, token = register(client)
    post_text(client, token, "same account")
    login = client.post(
        "/api/login",
        json={"username": username.upper(), "password": "correct horse battery staple"},
    )

    response = client.get("/api/buffer", headers=auth(login.json()["accessToken"]))

    assert response.text == "same account"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/buffer"),
        ("GET", "/api/buffer"),
        ("DELETE", "/api/buffer"),
        ("GET", "/api/buffer/history"),
        ("GET", "/api/buffer/history/" + "0" * 29),
        ("DELETE", "/api/buffer/history/" + "0" * 29),
    ],
)
def test_buffer_without_token_is_401(client: httpx.Client, method: str, path: str) -> None:
    missing = client.request(method, path, content=b"x", headers={"X-Data-Type": "text"})
    invalid = client.request(
        method, path, content=b"x", headers={"X-Data-Type": "text", **auth("not.a.token")}
    )

    assert_auth_error(missing, -1)
    assert_auth_error(invalid, -4)


def test_buffer_item_expires_and_cleanup_removes_it(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["BUFFER_TTL_SECONDS"] = "1"
    _, token = register(client)
    item = post_file(client, token, "soon.txt", b"gone soon")
    assert f"b/{item['id']}" in buffer_blobs(storage)

    time.sleep(1.1)
    expired = client.get("/api/buffer", headers=auth(token))
    by_id = client.get(f"/api/buffer/history/{item['id']}", headers=auth(token))
    listed = history(client, token)
    cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=2))

    assert expired.status_code == 404
    assert expired.json() == EMPTY
    assert by_id.json() == ITEM_NOT_FOUND
    assert listed == []
    assert f"b/{item['id']}" not in buffer_blobs(storage)
    assert buffer_rows(storage, item["id"]) == []
    assert not any(row.startswith(f"buffer:{item['id']}:") for row in storage.expiry_rows())


def test_buffer_item_expires_at_buffer_ttl(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["BUFFER_TTL_SECONDS"] = "7200"
    _, token = register(client)

    item = post_text(client, token, "x")

    created = time.mktime(time.strptime(item["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
    expires = time.mktime(time.strptime(item["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert expires - created in (7199, 7200)
