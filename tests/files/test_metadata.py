"""GET /api/metadata/{file_url}: public facts, never the key, never a download."""

from __future__ import annotations

import httpx

from tests.utils.files import upload


def test_metadata_describes_the_file(client: httpx.Client, base_url: str) -> None:
    body = upload(client, b"12345", filename="five.txt", params={"max_downloads": "2"})

    response = client.get(f"/api/metadata/{body['file_url']}")

    assert response.status_code == 200
    meta = response.json()
    assert meta["status"] == "success"
    assert meta["original_name"] == "five.txt"
    assert meta["content_type"] == "text/plain"
    assert meta["file_size"] == 5
    assert meta["download_count"] == 0
    assert meta["download_link"] == f"{base_url}/file/{body['file_url']}"
    assert meta["expires_at"] == body["expires_at"]
    assert meta["created_at"] <= meta["expires_at"]
    assert meta["downloads_left"] == 2
    assert body["key"] not in response.text
    assert "key" not in meta


def test_metadata_never_consumes_a_one_time_link(client: httpx.Client) -> None:
    body = upload(client, b"once", filename="o.txt", params={"max_downloads": "1"})

    for _ in range(3):
        assert client.get(f"/api/metadata/{body['file_url']}").json()["downloads_left"] == 1

    assert client.get(f"/file/{body['file_url']}").content == b"once"
    assert client.get(f"/api/metadata/{body['file_url']}").status_code == 404


def test_metadata_of_unlimited_file_has_no_download_limit(client: httpx.Client) -> None:
    body = upload(client)

    meta = client.get(f"/api/metadata/{body['file_url']}").json()

    assert meta["downloads_left"] is None
    assert meta["max_downloads"] is None


def test_metadata_unknown_file_is_404(client: httpx.Client) -> None:
    response = client.get("/api/metadata/AAAAAAAAAAAAAAAA")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "File not found"}
