"""Shares over HTTP: create (with files or empty), add, read as JSON or a page, delete."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from tests.utils.accounts import auth, create_group, register
from tests.utils.files import upload
from tests.utils.shares import add_files, create_share, manifest
from tests.utils.storage import StorageProbe

_FILES = {"notes.txt": b"some notes\n", "data.csv": b"a,b\n1,2\n"}


def test_create_with_files_answers_the_share_and_its_files(client: httpx.Client) -> None:
    body = create_share(client, _FILES, data={"title": "Quarterly"})

    assert body["status"] == "success"
    assert body["message"] == "Share created"
    assert body["share_url"] == f"{client.base_url}/s/{body['share_id']}"
    assert body["qr_url"] == f"{body['share_url']}/qr"
    assert body["title"] == "Quarterly"
    assert body["max_downloads"] is None
    assert [(f["user_filename"], f["size"]) for f in body["files"]] == [
        ("notes.txt", 11),
        ("data.csv", 8),
    ]
    for item, content in zip(body["files"], _FILES.values(), strict=True):
        assert client.get(f"/file/{item['file_url']}").content == content


def test_manifest_lists_files_in_order_without_the_key(client: httpx.Client) -> None:
    body = create_share(client, _FILES)

    response = manifest(client, body["share_id"])

    assert response.status_code == 200
    data = response.json()
    assert "key" not in data
    assert data["share_id"] == body["share_id"]
    assert data["title"] is None
    assert data["total_size"] == 19
    assert data["downloads_left"] is None
    assert data["expires_at"] == body["expires_at"]
    assert data["zip_url"] == f"{body['share_url']}/zip"
    assert [(f["user_filename"], f["size"], f["content_type"]) for f in data["files"]] == [
        ("notes.txt", 11, "text/plain"),
        ("data.csv", 8, "text/csv"),
    ]


def test_json_creates_an_empty_share_then_files_are_added(client: httpx.Client) -> None:
    response = client.post("/api/shares", json={"title": "Later", "expires_in": 3600})
    assert response.status_code == 200, response.text
    share = response.json()
    assert share["files"] == []

    added = add_files(client, share, {"one.txt": b"1"})
    added_again = add_files(client, share, {"two.txt": b"22", "three.txt": b"333"})

    assert added.status_code == 200, added.text
    assert added.json()["message"] == "Files added"
    assert [f["user_filename"] for f in added_again.json()["files"]] == ["two.txt", "three.txt"]
    names = [f["user_filename"] for f in manifest(client, share["share_id"]).json()["files"]]
    assert names == ["one.txt", "two.txt", "three.txt"]


def test_adding_with_a_wrong_key_is_400_and_adds_nothing(
    client: httpx.Client, storage: StorageProbe
) -> None:
    share = create_share(client, {"a.txt": b"a"})
    before = storage.blob_names()

    response = client.post(
        f"/api/shares/{share['share_id']}/files",
        params={"key": "00000000-0000-4000-8000-000000000000"},
        files={"file": ("b.txt", b"b")},
    )

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Invalid unique key", "errorId": 34}
    assert len(manifest(client, share["share_id"]).json()["files"]) == 1
    assert storage.blob_names() == before


def test_bad_option_is_400_before_anything_is_stored(
    client: httpx.Client, storage: StorageProbe
) -> None:
    before = storage.blob_names()

    response = client.post(
        "/api/shares", params={"max_downloads": "0"}, files={"file": ("a.txt", b"a")}
    )

    assert response.status_code == 400
    assert response.json()["message"] == "max_downloads must be a whole number from 1 to 1000000"
    assert storage.blob_names() == before


def test_option_after_the_files_applies_and_a_bad_one_discards_them(
    client: httpx.Client, storage: StorageProbe
) -> None:
    before = storage.blob_names()
    good = create_share(client, {"a.txt": b"a"}, data={"max_downloads": "2"})
    stored = storage.blob_names()

    response = client.post(
        "/api/shares", files={"file": ("a.txt", b"a")}, data={"expires_in": "never"}
    )

    assert good["max_downloads"] == 2
    assert response.status_code == 400
    assert len(stored - before) == 1
    assert storage.blob_names() == stored


def test_no_file_and_not_json_are_400(client: httpx.Client) -> None:
    empty = client.post("/api/shares", files={"title": (None, "x")})
    junk = client.post("/api/shares", content=b"[1]", headers={"Content-Type": "application/json"})

    assert empty.status_code == 400
    assert empty.json()["message"] == "No file uploaded"
    assert junk.status_code == 400
    assert junk.json()["message"] == "The request body must be a JSON object"


def test_long_title_is_400(client: httpx.Client) -> None:
    response = client.post("/api/shares", json={"title": "x" * 201})

    assert response.status_code == 400
    assert response.json()["errorId"] == 32


def test_unknown_share_is_404_everywhere(client: httpx.Client) -> None:
    for path in ("/s/AAAAAAAAAAAAAAAA", "/s/AAAAAAAAAAAAAAAA/zip", "/s/nope/qr"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 404, path
        assert response.json() == {"status": "error", "message": "Share not found", "errorId": 30}


def test_delete_with_key_removes_share_files_blobs_and_entries(
    client: httpx.Client, storage: StorageProbe
) -> None:
    share = create_share(client, _FILES)
    file_urls = [f["file_url"] for f in share["files"]]

    response = client.delete(f"/api/shares/{share['share_id']}", params={"key": share["key"]})

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Share deleted successfully"}
    assert manifest(client, share["share_id"]).status_code == 404
    assert storage.rows("shares", share["share_id"]) == []
    for file_url in file_urls:
        assert client.get(f"/file/{file_url}").status_code == 404
        assert storage.file_row(file_url) is None
        assert not storage.blob_exists(file_url)
    assert not any(share["share_id"] in key for key in storage.expiry_rows())
    again = client.delete(f"/api/shares/{share['share_id']}", params={"key": share["key"]})
    assert again.status_code == 404


def test_delete_with_wrong_key_is_400_and_keeps_the_share(client: httpx.Client) -> None:
    share = create_share(client, _FILES)

    response = client.delete(f"/api/shares/{share['share_id']}", params={"key": "nope"})

    assert response.status_code == 400
    assert response.json()["errorId"] == 34
    assert manifest(client, share["share_id"]).status_code == 200


def test_browser_gets_a_page_listing_the_files(client: httpx.Client) -> None:
    share = create_share(client, {"<b>bold<i>.txt": b"x", "cat.png": b"\x89PNG\r\n"})

    response = client.get(f"/s/{share['share_id']}", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "&lt;b&gt;bold&lt;i&gt;.txt" in page
    assert "<b>bold" not in page
    assert f'href="/s/{share["share_id"]}/zip"' in page
    png = share["files"][1]["file_url"]
    assert f'src="/s/{share["share_id"]}/preview/{png}"' in page


def test_page_views_and_previews_never_count(client: httpx.Client) -> None:
    share = create_share(client, {"cat.png": b"\x89PNG\r\n\x1a\n", "x.svg": b"<svg/>"})
    png, svg = (f["file_url"] for f in share["files"])

    client.get(f"/s/{share['share_id']}", headers={"Accept": "text/html"})
    preview = client.get(f"/s/{share['share_id']}/preview/{png}")
    svg_preview = client.get(f"/s/{share['share_id']}/preview/{svg}")

    assert preview.status_code == 200
    assert preview.content == b"\x89PNG\r\n\x1a\n"
    assert preview.headers["content-type"] == "image/png"
    assert svg_preview.status_code == 404
    assert client.get(f"/api/metadata/{png}").json()["download_count"] == 0


def test_qr_code_encodes_the_share_link(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})

    response = client.get(f"/s/{share['share_id']}/qr")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


def test_the_creator_deletes_with_a_token_and_others_cannot(client: httpx.Client) -> None:
    _, alice = register(client)
    _, bob = register(client)
    share = create_share(client, {"a.txt": b"a"}, headers=auth(alice))
    url = f"/api/shares/{share['share_id']}"

    refused = client.delete(url, headers=auth(bob))
    deleted = client.delete(url, headers=auth(alice))

    assert refused.status_code == 403
    assert refused.json()["errorId"] == 35
    assert deleted.status_code == 200
    assert manifest(client, share["share_id"]).status_code == 404


def test_a_plain_file_is_not_a_share(client: httpx.Client) -> None:
    body = upload(client)

    assert manifest(client, body["file_url"]).status_code == 404


def test_group_share_goes_with_its_group(client: httpx.Client) -> None:
    _, owner = register(client)
    group_id = create_group(client, owner)
    share = create_share(
        client, {"a.txt": b"a"}, params={"group_id": str(group_id)}, headers=auth(owner)
    )
    assert manifest(client, share["share_id"]).status_code == 200

    client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))

    assert manifest(client, share["share_id"]).status_code == 404
    assert client.get(f"/file/{share['files'][0]['file_url']}").status_code == 404


def test_group_share_needs_a_member_token(client: httpx.Client) -> None:
    _, owner = register(client)
    _, stranger = register(client)
    group_id = create_group(client, owner)

    response = client.post("/api/shares", json={"group_id": str(group_id)}, headers=auth(stranger))

    assert response.status_code == 403


def test_files_of_one_request_share_the_upload_limit(
    client: httpx.Client, storage: StorageProbe, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_UPLOAD_BYTES"] = "1000"
    before = storage.blob_names()

    def parts() -> Iterator[bytes]:  # chunked: no declared length to refuse up front
        boundary = b"--b\r\n"
        for name in ("a.bin", "b.bin"):
            yield boundary
            yield f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'.encode()
            yield b"x" * 600 + b"\r\n"
        yield b"--b--\r\n"

    response = client.post(
        "/api/shares", content=parts(), headers={"Content-Type": "multipart/form-data; boundary=b"}
    )

    assert response.status_code == 413
    assert response.json()["message"] == "File size exceeds the limit (1000 bytes)"
    assert storage.blob_names() == before
