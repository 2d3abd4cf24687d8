"""GET|DELETE /api/delete/{file_url}?key=...: the owner's delete."""

from __future__ import annotations

import httpx
import pytest

from tests.utils.files import upload
from tests.utils.storage import StorageProbe


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_delete_with_key_removes_blob_and_rows(
    client: httpx.Client, storage: StorageProbe, method: str
) -> None:
    body = upload(client, b"bye", filename="bye.txt")

    response = client.request(
        method, f"/api/delete/{body['file_url']}", params={"key": body["key"]}
    )

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "File deleted successfully"}
    assert client.get(f"/file/{body['file_url']}").status_code == 404
    assert not storage.blob_exists(body["file_url"])
    assert storage.file_row(body["file_url"]) is None
    assert not any(body["file_url"] in key for key in storage.expiry_rows())


@pytest.mark.parametrize(
    "params", [{"key": "00000000-0000-4000-8000-000000000000"}, {"key": ""}, {}]
)
def test_delete_with_wrong_key_is_400_and_keeps_file(
    client: httpx.Client, params: dict[str, str]
) -> None:
    body = upload(client, b"keep", filename="keep.txt")

    response = client.get(f"/api/delete/{body['file_url']}", params=params)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Invalid unique key"}
    assert client.get(f"/file/{body['file_url']}").content == b"keep"


def test_delete_unknown_file_is_404(client: httpx.Client) -> None:
    response = client.get("/api/delete/AAAAAAAAAAAAAAAA", params={"key": "x"})

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "File not found"}


def test_delete_twice_is_404_the_second_time(client: httpx.Client) -> None:
    body = upload(client)
    url = f"/api/delete/{body['file_url']}"

    assert client.get(url, params={"key": body["key"]}).status_code == 200
    assert client.get(url, params={"key": body["key"]}).status_code == 404
