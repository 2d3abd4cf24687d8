"""Files of any size into a share: `POST /api/uploads` with `share_id` and `key`, completed with
the CRC-32 the client computed; the file joins the share and its ZIP."""

from __future__ import annotations

import io
import zipfile
import zlib

import httpx
from azure.storage.blob import BlobClient

from tests.utils.direct import begin, put_all
from tests.utils.files import random_bytes
from tests.utils.shares import create_share, manifest


def _complete(client: httpx.Client, grant: dict[str, object], crc: int | None) -> httpx.Response:
    params = {"key": str(grant["key"])}
    if crc is not None:
        params["crc32"] = str(crc)
    return client.post(f"/api/uploads/{grant['file_url']}/complete", params=params)


def test_direct_upload_joins_the_share_and_its_zip(client: httpx.Client) -> None:
    share = create_share(client, {"small.txt": b"small"})
    content = random_bytes(9 * 1024 * 1024 + 7)  # two blocks

    grant = begin(
        client, len(content), filename="big.bin", share_id=share["share_id"], key=share["key"]
    )
    put_all(grant, content)
    missing = _complete(client, grant, None)
    done = _complete(client, grant, zlib.crc32(content))

    assert missing.status_code == 400
    assert missing.json()["errorId"] == 37
    assert done.status_code == 200, done.text
    assert done.json()["expires_at"] == share["expires_at"]
    names = [f["user_filename"] for f in manifest(client, share["share_id"]).json()["files"]]
    assert names == ["small.txt", "big.bin"]
    archive = client.get(f"/s/{share['share_id']}/zip").content
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        assert opened.read("big.bin") == content


def test_direct_upload_needs_the_share_key(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})

    response = client.post(
        "/api/uploads",
        json={"filename": "x.bin", "size": 3, "share_id": share["share_id"], "key": "wrong"},
    )

    assert response.status_code == 400
    assert response.json()["errorId"] == 34


def test_direct_upload_into_a_share_refuses_the_share_s_own_options(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})

    response = client.post(
        "/api/uploads",
        json={
            "filename": "x.bin",
            "size": 3,
            "share_id": share["share_id"],
            "key": share["key"],
            "max_downloads": 1,
        },
    )

    assert response.status_code == 400
    assert response.json()["errorId"] == 36


def test_completion_after_the_share_was_deleted_is_404_and_discards(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})
    grant = begin(client, 3, filename="late.bin", share_id=share["share_id"], key=share["key"])
    put_all(grant, b"abc")
    client.delete(f"/api/shares/{share['share_id']}", params={"key": share["key"]})

    response = _complete(client, grant, zlib.crc32(b"abc"))

    assert response.status_code == 404
    assert response.json()["errorId"] == 30
    assert client.get(f"/file/{grant['file_url']}").status_code == 404


def test_a_file_rewritten_through_its_sas_leaves_the_share(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})
    grant = begin(client, 3, filename="b.bin", share_id=share["share_id"], key=share["key"])
    put_all(grant, b"abc")
    assert _complete(client, grant, zlib.crc32(b"abc")).status_code == 200
    BlobClient.from_blob_url(grant["upload_url"]).upload_blob(b"xyz", overwrite=True)

    try:
        broken = client.get(f"/s/{share['share_id']}/zip")
        assert len(broken.content) < int(broken.headers["content-length"])
    except httpx.RemoteProtocolError:
        pass  # the archive broke off: never other bytes under a published entry

    names = [f["user_filename"] for f in manifest(client, share["share_id"]).json()["files"]]
    assert names == ["a.txt"]
    assert client.get(f"/file/{grant['file_url']}").status_code == 404
