"""Big files through upload links: direct uploads (`POST /api/uploads` with `reverse_share_id`)
reserve the declared size at once, publish only that size, and give back what is abandoned."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.accounts import auth, register
from tests.utils.direct import begin, complete, put_all
from tests.utils.reverse import create_link, send
from tests.utils.shares import manifest
from tests.utils.storage import StorageProbe


def _counts(client: httpx.Client, token: str, link_id: str) -> tuple[int, int]:
    (shown,) = [s for s in client.get("/api/reverse_shares", headers=auth(token)).json()["data"]]
    assert shown["id"] == link_id
    return shown["files_received"], shown["bytes_received"]


def test_direct_upload_through_link_lands_with_the_owner_and_answers_a_receipt(
    client: httpx.Client, storage: StorageProbe
) -> None:
    owner, token = register(client)
    link = create_link(client, token, max_files=2, max_bytes=1000)

    grant = begin(client, 300, filename="big.bin", reverse_share_id=link["id"])
    put_all(grant, b"b" * 300)
    response = complete(client, grant)

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "File received",
        "received": [{"user_filename": "big.bin", "size": 300}],
        "files_left": 1,
        "bytes_left": 700,
    }
    (entry,) = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert entry["received_via"] == link["id"]
    assert entry["key"] != grant["key"]  # the uploader never held the file's delete key
    assert entry["key"] not in response.text
    row = storage.file_row(entry["file_url"])
    assert row is not None
    assert row["owner"] == owner
    deleted = client.get(f"/api/delete/{entry['file_url']}", params={"key": grant["key"]})
    assert deleted.status_code == 400


def test_direct_upload_reserves_its_declared_size_at_once(client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token, max_files=5, max_bytes=1000)

    begin(client, 800, reverse_share_id=link["id"])  # not even started
    refused = client.post(
        "/api/uploads", json={"filename": "b.bin", "size": 201, "reverse_share_id": link["id"]}
    )
    streamed = send(client, link["id"], b"x" * 201)

    assert refused.status_code == 413
    assert refused.json()["errorId"] == 41
    assert streamed.status_code == 413
    assert _counts(client, token, link["id"]) == (1, 800)
    assert send(client, link["id"], b"x" * 200).status_code == 200


def test_direct_upload_of_another_size_is_refused_and_released(client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token, max_files=1, max_bytes=100)
    grant = begin(client, 10, reverse_share_id=link["id"])

    put_all(grant, b"more than ten bytes")  # the SAS can write more; completion refuses it
    response = complete(client, grant)

    assert response.status_code == 400
    assert client.get("/api/get_files/private", headers=auth(token)).json()["data"] == []
    assert _counts(client, token, link["id"]) == (0, 0)


def test_direct_upload_needs_the_links_password(client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token, password="pw")
    body = {"filename": "a.bin", "size": 3, "reverse_share_id": link["id"]}

    missing = client.post("/api/uploads", json=body)
    right = client.post(
        "/api/uploads",
        json=body,
        headers={"Authorization": "Basic " + base64.b64encode(b":pw").decode()},
    )

    assert missing.status_code == 401
    assert missing.json()["errorId"] == 20
    assert right.status_code == 200


def test_revoked_link_refuses_to_complete_a_direct_upload(client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token)
    grant = begin(client, 5, reverse_share_id=link["id"])
    put_all(grant, b"hello")

    client.delete(f"/api/reverse_shares/{link['id']}", headers=auth(token))
    response = complete(client, grant)

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Upload link not found"}
    assert client.get("/api/get_files/private", headers=auth(token)).json()["data"] == []
    refused = client.post(
        "/api/uploads", json={"filename": "a", "size": 1, "reverse_share_id": link["id"]}
    )
    assert refused.status_code == 404


def test_abandoned_direct_upload_gives_its_reservation_back_when_swept(
    client: httpx.Client,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "2"
    _, token = register(client)
    link = create_link(client, token, max_files=1, max_bytes=100)
    begin(client, 50, reverse_share_id=link["id"])
    assert send(client, link["id"]).status_code == 409

    cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=3))

    assert _counts(client, token, link["id"]) == (0, 0)
    assert send(client, link["id"]).status_code == 200


def test_direct_upload_into_a_share_and_through_a_link_at_once_is_refused(
    client: httpx.Client,
) -> None:
    _, token = register(client)
    link = create_link(client, token, max_files=2, max_bytes=1000)
    share = client.post("/api/shares", json={}).json()  # an empty share

    refused = client.post(
        "/api/uploads",
        json={
            "filename": "both.bin",
            "size": 10,
            "reverse_share_id": link["id"],
            "share_id": share["share_id"],
            "key": share["key"],
        },
    )

    assert refused.status_code == 400
    assert refused.json()["status"] == "error"
    assert "not both" in refused.json()["message"]
    assert _counts(client, token, link["id"]) == (0, 0)  # nothing reserved on the link
    assert manifest(client, share["share_id"]).json()["files"] == []
