"""POST /api/uploads, GET /api/uploads/{file_url}, POST .../complete: bytes straight to Blob."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobClient

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.accounts import auth, files_of, group_with_member, register
from tests.utils.direct import (
    begin,
    block_id,
    commit,
    complete,
    direct_upload,
    put_all,
    sas_params,
    stage,
)
from tests.utils.files import random_bytes, run_cleanup, upload
from tests.utils.settings import MIB
from tests.utils.storage import CONTAINER, StorageProbe

BAD_SIZE = "size must be the file's length in bytes, a whole number"
BAD_MAX_DOWNLOADS = "max_downloads must be a whole number from 1 to 1000000"
BAD_OPTION = "expires_in must be a string or a number"


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_begin_answers_a_create_write_sas_for_one_blob(client: httpx.Client) -> None:
    grant = begin(client, 3 * MIB, filename="movie.mp4")

    assert grant["status"] == "success"
    assert grant["size"] == 3 * MIB
    assert grant["block_size"] == 8 * MIB
    assert grant["user_filename"] == "movie.mp4"
    assert grant["synced"] is False
    params = sas_params(grant["upload_url"])
    assert params["sp"] == "cw"
    assert params["sr"] == "b"
    assert "sig" in params
    assert grant["upload_url"].split("?")[0].endswith(f"/{CONTAINER}/f/{grant['file_url']}")
    expiry = _parse(params["se"])
    assert abs(expiry - (datetime.now(UTC) + timedelta(minutes=15))) < timedelta(seconds=30)
    assert grant["expires_at"] == params["se"]


def test_direct_upload_publishes_like_a_normal_upload(
    client: httpx.Client, storage: StorageProbe, base_url: str
) -> None:
    content = random_bytes(20 * MIB + 5)  # three blocks, the last one short
    normal = upload(client, b"normal", filename="report.pdf")

    body = direct_upload(client, content, filename="report.pdf")

    assert set(body) == set(normal)
    assert body["message"] == "File uploaded successfully"
    assert body["file_url_full"] == f"{base_url}/file/{body['file_url']}"
    assert body["size"] == len(content)
    assert body["content_type"] == "application/pdf"
    assert body["ext"] == ".pdf"
    assert body["max_downloads"] is None
    assert body["auth_error"] == {"message": "No Authorization header provided", "errorId": -1}
    row = storage.file_row(body["file_url"])
    assert row is not None
    assert row["key"] == body["key"]
    # The entry stays until the upload SAS expires, to check the blob is still this one then.
    assert f"direct:{body['file_url']}" in storage.expiry_rows()
    # Larger than MAX_UPLOAD_BYTES, as only a direct upload can be: served from storage.
    served = client.get(f"/file/{body['file_url']}", follow_redirects=True)
    assert served.status_code == 200
    assert served.content == content


def test_direct_upload_keeps_the_key_given_at_begin(client: httpx.Client) -> None:
    grant = begin(client, 4, filename="k.txt")
    put_all(grant, b"keys")

    body = complete(client, grant).json()

    assert body["key"] == grant["key"]
    deleted = client.delete(f"/api/delete/{grant['file_url']}", params={"key": grant["key"]})
    assert deleted.status_code == 200


def test_pending_upload_is_invisible_until_complete(
    client: httpx.Client, storage: StorageProbe
) -> None:
    _, token = register(client)
    grant = begin(client, 5, filename="soon.txt", headers=auth(token))
    put_all(grant, b"early")

    assert client.get(f"/file/{grant['file_url']}").status_code == 404
    assert client.get(f"/api/metadata/{grant['file_url']}").status_code == 404
    assert storage.file_row(grant["file_url"]) is None
    assert grant["file_url"] not in files_of(client, token)

    assert complete(client, grant).status_code == 200
    assert client.get(f"/file/{grant['file_url']}").content == b"early"
    assert files_of(client, token) == [grant["file_url"]]


def test_status_lists_the_blocks_storage_holds(client: httpx.Client) -> None:
    content = random_bytes(8 * MIB * 3)
    grant = begin(client, len(content))
    stage(grant["upload_url"], content, grant["block_size"], [0, 2])

    response = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]})

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "pending"
    assert body["committed"] == []
    assert body["uncommitted"] == [
        {"id": block_id(0), "size": 8 * MIB},
        {"id": block_id(2), "size": 8 * MIB},
    ]
    assert sas_params(body["upload_url"])["sp"] == "cw"
    assert body["size"] == len(content)


def test_status_before_any_block_is_empty(client: httpx.Client) -> None:
    grant = begin(client, 10)

    body = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]}).json()

    assert (body["committed"], body["uncommitted"]) == ([], [])


def test_status_after_completion_reports_the_file(client: httpx.Client, base_url: str) -> None:
    grant = begin(client, 4)
    put_all(grant, b"done")
    complete(client, grant)

    response = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]})

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "Upload complete",
        "state": "complete",
        "file_url": grant["file_url"],
        "file_url_full": f"{base_url}/file/{grant['file_url']}",
        "size": 4,
    }


def test_status_with_a_wrong_key_is_refused(client: httpx.Client) -> None:
    grant = begin(client, 10)

    response = client.get(f"/api/uploads/{grant['file_url']}", params={"key": "nope"})

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Invalid unique key"}


def test_status_of_an_unknown_upload_is_404(client: httpx.Client) -> None:
    response = client.get("/api/uploads/AAAAAAAAAAAAAAAA", params={"key": "k"})

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Upload not found"}


def test_complete_with_a_size_mismatch_is_rejected_and_leaves_nothing(
    client: httpx.Client, storage: StorageProbe
) -> None:
    grant = begin(client, 10, filename="short.txt")
    put_all(grant, b"eleven byte")

    response = complete(client, grant)

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "Uploaded size 11 does not match the declared size 10",
    }
    assert not storage.blob_exists(grant["file_url"])
    assert storage.file_row(grant["file_url"]) is None
    assert client.get(f"/file/{grant['file_url']}").status_code == 404
    again = complete(client, grant)
    assert again.status_code == 404
    assert again.json() == {"status": "error", "message": "Upload not found"}


def test_complete_before_the_block_list_is_committed_is_refused(client: httpx.Client) -> None:
    content = b"uncommitted"
    grant = begin(client, len(content))
    stage(grant["upload_url"], content, grant["block_size"], [0])

    response = complete(client, grant)

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "The upload has no committed blob yet: commit the block list first",
    }
    commit(grant["upload_url"], 1)
    assert complete(client, grant).status_code == 200


def test_complete_twice_answers_the_same_file(client: httpx.Client) -> None:
    grant = begin(client, 4)
    put_all(grant, b"once")
    first = complete(client, grant).json()

    second = complete(client, grant)

    assert second.status_code == 200
    assert second.json()["file_url"] == first["file_url"]
    assert second.json()["key"] == first["key"]


def test_complete_with_a_wrong_key_is_refused(client: httpx.Client) -> None:
    grant = begin(client, 4)
    put_all(grant, b"mine")

    response = client.post(f"/api/uploads/{grant['file_url']}/complete", params={"key": "x"})

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Invalid unique key"}


def test_complete_replaces_the_content_type_the_client_set(
    client: httpx.Client, storage: StorageProbe
) -> None:
    grant = begin(client, 6, filename="page.txt")
    stage(grant["upload_url"], b"<html>", grant["block_size"], [0])
    commit(grant["upload_url"], 1, content_type="text/html")

    body = complete(client, grant).json()

    blob = storage.blobs.get_blob_client(CONTAINER, f"f/{grant['file_url']}")
    assert blob.get_blob_properties().content_settings.content_type == "text/plain"
    assert body["content_type"] == "text/plain"


def test_direct_upload_options_apply_to_the_published_file(client: httpx.Client) -> None:
    body = direct_upload(
        client, b"secret", filename="one.txt", expires_in=120, max_downloads=1, include_ext=True
    )

    assert body["max_downloads"] == 1
    assert body["file_url"].endswith(".txt")
    expires = _parse(body["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(seconds=120))) < timedelta(seconds=30)
    assert client.get(f"/file/{body['file_url']}").content == b"secret"
    assert client.get(f"/file/{body['file_url']}").status_code == 404


def test_direct_upload_to_a_group_is_listed_for_the_group(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)

    grant = begin(client, 4, filename="g.txt", group_id=group_id, headers=auth(member))
    put_all(grant, b"team")
    published = complete(client, grant).json()
    assert published["synced"] is True
    assert published["auth_error"] == {}
    assert files_of(client, owner, group_id) == [grant["file_url"]]


def test_begin_for_a_group_without_a_token_is_401(client: httpx.Client) -> None:
    response = client.post(
        "/api/uploads", json={"filename": "g.txt", "size": 1, "group_id": "12345678"}
    )

    assert response.status_code == 401
    assert response.json()["auth_error"]["errorId"] == -1


def test_begin_over_the_direct_limit_is_413(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_DIRECT_UPLOAD_BYTES"] = str(2 * 1024**3)

    response = client.post("/api/uploads", json={"filename": "big.iso", "size": 2 * 1024**3 + 1})

    assert response.status_code == 413
    assert response.json() == {"status": "error", "message": "File size exceeds the limit (2GB)"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"size": 1}, "filename is required"),
        ({"filename": " ", "size": 1}, "filename is required"),
        ({"filename": "a.txt"}, BAD_SIZE),
        ({"filename": "a.txt", "size": "12"}, BAD_SIZE),
        ({"filename": "a.txt", "size": -1}, BAD_SIZE),
        ({"filename": "a.txt", "size": True}, BAD_SIZE),
        ({"filename": "a.txt", "size": 1, "max_downloads": 0}, BAD_MAX_DOWNLOADS),
        ({"filename": "a.txt", "size": 1, "expires_in": [1]}, BAD_OPTION),
    ],
)  # fmt: skip
def test_begin_with_an_invalid_declaration_is_400(
    client: httpx.Client, body: dict[str, object], message: str
) -> None:
    response = client.post("/api/uploads", json=body)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": message}


def test_begin_without_a_json_body_is_400(client: httpx.Client) -> None:
    response = client.post("/api/uploads", content=b"not json")

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "The request body must be a JSON object",
    }


def test_upload_sas_cannot_read_or_delete(client: httpx.Client) -> None:
    grant = begin(client, 4)
    put_all(grant, b"data")
    blob = BlobClient.from_blob_url(grant["upload_url"])

    with pytest.raises(HttpResponseError) as read:
        blob.download_blob().readall()
    with pytest.raises(HttpResponseError) as delete:
        blob.delete_blob()

    assert read.value.status_code == 403
    assert delete.value.status_code == 403


def test_expired_upload_sas_is_refused_by_storage(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "1"
    grant = begin(client, 4)
    time.sleep(2.1)

    with pytest.raises(HttpResponseError) as refused:
        stage(grant["upload_url"], b"late", grant["block_size"], [0])

    assert refused.value.status_code == 403


def test_pending_upload_is_swept_by_cleanup_after_its_sas_expires(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "2"
    grant = begin(client, 9, filename="never.txt")
    put_all(grant, b"abandoned")  # committed, never completed
    assert storage.blob_exists(grant["file_url"])

    run_cleanup(client)  # not due yet: nothing happens
    assert storage.blob_exists(grant["file_url"])
    cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=3))

    assert not storage.blob_exists(grant["file_url"])
    assert f"direct:{grant['file_url']}" not in storage.expiry_rows()
    response = complete(client, grant)
    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Upload not found"}


def test_cleanup_keeps_a_completed_direct_upload(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    # Long enough for the PUT on a busy machine; cleanup runs as if past the SAS expiry.
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "4"
    body = direct_upload(client, b"kept", filename="kept.txt")

    cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=5))

    assert storage.blob_exists(body["file_url"])
    assert client.get(f"/file/{body['file_url']}").content == b"kept"


def test_direct_upload_of_a_link_file_is_a_short_link(client: httpx.Client) -> None:
    content = b"https://example.com/from/direct\n"
    grant = begin(client, len(content), filename="link.txt")
    put_all(grant, content)

    assert complete(client, grant).status_code == 200
    response = client.get(f"/file/{grant['file_url']}")

    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/from/direct"
