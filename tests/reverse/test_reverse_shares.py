"""Upload links over HTTP: creating, uploading through them, limits, revoking, listing, expiry."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from shared.reverse import service
from tests.utils.accounts import assert_auth_error, auth, create_group, register
from tests.utils.reverse import create_link, send
from tests.utils.storage import StorageProbe


@pytest.fixture(scope="module")
def token(base_url: str) -> str:
    """One account for tests that only need an owner: registering is slow (Argon2)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        return register(http)[1]


def test_create_link_needs_a_signed_in_user(client: httpx.Client) -> None:
    response = client.post("/api/reverse_shares", json={"max_files": 1, "max_bytes": 10})

    assert_auth_error(response, -1)


def test_create_link_answers_its_upload_url_and_limits(client: httpx.Client, token: str) -> None:
    created = create_link(client, token, max_files=3, max_bytes=1000, expires_in=600)

    assert created["status"] == "success"
    assert len(created["id"]) == 16
    assert created["upload_url"] == f"{client.base_url}/r/{created['id']}"
    assert created["max_files"] == 3
    assert created["max_bytes"] == 1000
    assert created["files_left"] == 3
    assert created["bytes_left"] == 1000
    assert created["password"] is False
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(seconds=590) < expires - datetime.now(UTC) <= timedelta(seconds=601)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"max_files": 0, "max_bytes": 10}, "max_files must be a whole number from 1 to 1000"),
        ({"max_files": 1001, "max_bytes": 10}, "max_files must be a whole number from 1 to 1000"),
        ({"max_files": 1, "max_bytes": 0}, "max_bytes must be a whole number of bytes, at least 1"),
        (
            {"max_files": 1, "max_bytes": 10, "expires_in": "soon"},
            "expires_in must be a whole number of seconds from 1 to 86400",
        ),
        (
            {"max_files": 1, "max_bytes": 10, "file_expires_in": 0},
            "file_expires_in must be a whole number of seconds from 1 to 86400",
        ),
    ],
)
def test_create_link_refuses_bad_limits(
    client: httpx.Client, token: str, body: dict[str, object], message: str
) -> None:
    response = client.post("/api/reverse_shares", json=body, headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": message}


def test_upload_through_link_lands_in_owners_listing_and_receipt_reveals_no_key(
    client: httpx.Client, storage: StorageProbe
) -> None:
    owner, token = register(client)
    link = create_link(client, token, max_files=2, max_bytes=100)

    response = send(client, link["id"], b"0123456789", filename="report.txt")

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "File received",
        "received": [{"user_filename": "report.txt", "size": 10}],
        "files_left": 1,
        "bytes_left": 90,
    }
    listed = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    (entry,) = listed
    assert entry["user_filename"] == "report.txt"
    assert entry["received_via"] == link["id"]
    assert entry["file_url"] not in response.text
    assert entry["key"] not in response.text
    row = storage.file_row(entry["file_url"])
    assert row is not None
    assert row["owner"] == owner
    assert row["received_via"] == link["id"]
    assert client.get(f"/file/{entry['file_url']}").content == b"0123456789"


def test_received_file_lives_as_long_as_the_link_says(client: httpx.Client, token: str) -> None:
    link = create_link(client, token, file_expires_in=120)

    assert send(client, link["id"], filename="short-lived.txt").status_code == 200

    listed = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    (entry,) = [e for e in listed if e["user_filename"] == "short-lived.txt"]
    expires = datetime.fromisoformat(entry["expires_at"])
    assert expires - datetime.now(UTC) <= timedelta(seconds=121)


def test_link_refuses_the_file_past_max_files(client: httpx.Client, token: str) -> None:
    link = create_link(client, token, max_files=1)
    assert send(client, link["id"]).status_code == 200

    response = send(client, link["id"])

    assert response.status_code == 409
    assert response.json() == {
        "status": "error",
        "message": "This upload link accepts no more files",
        "errorId": 40,
    }


def test_link_refuses_a_file_past_max_bytes_and_keeps_nothing_of_it(
    client: httpx.Client, storage: StorageProbe
) -> None:
    _, token = register(client)
    link = create_link(client, token, max_bytes=10)

    response = send(client, link["id"], b"x" * 11)

    assert response.status_code == 413
    assert response.json()["errorId"] == 41
    assert client.get("/api/get_files/private", headers=auth(token)).json()["data"] == []
    listed = client.get("/api/reverse_shares", headers=auth(token)).json()["data"]
    assert (listed[0]["files_received"], listed[0]["bytes_received"]) == (0, 0)
    assert send(client, link["id"], b"y" * 10).status_code == 200


def test_concurrent_uploads_never_pass_the_limits(client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token, max_files=5, max_bytes=4000)

    def one(index: int) -> httpx.Response:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as http:
            return send(http, link["id"], bytes([index]) * 1000, filename=f"f{index}.bin")

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(one, range(12)))

    accepted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(accepted) == 4  # max_bytes allows 4 of 1000 bytes, before max_files' 5
    assert {a.status_code for a in refused} <= {409, 413}
    listed = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert len(listed) == 4
    (shown,) = client.get("/api/reverse_shares", headers=auth(token)).json()["data"]
    assert (shown["files_received"], shown["bytes_received"]) == (4, 4000)


def test_concurrent_uploads_take_exactly_max_files(client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token, max_files=3, max_bytes=10**6)

    def one(index: int) -> int:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as http:
            return send(http, link["id"], filename=f"f{index}.txt").status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(one, range(10)))

    assert statuses.count(200) == 3
    assert statuses.count(409) == 7
    assert len(client.get("/api/get_files/private", headers=auth(token)).json()["data"]) == 3


def test_password_link_needs_the_password_as_basic_auth(client: httpx.Client, token: str) -> None:
    link = create_link(client, token, password="open sesame")
    assert link["password"] is True

    missing = send(client, link["id"])
    wrong = send(client, link["id"], password="guess")
    right = send(client, link["id"], password="open sesame")

    assert missing.status_code == 401
    assert missing.json() == {
        "status": "error",
        "message": "This link needs a password: send it with HTTP Basic (any user name)",
        "errorId": 20,
    }
    assert "www-authenticate" not in missing.headers  # no browser dialog
    assert wrong.status_code == 401
    assert wrong.json() == {"status": "error", "message": "Wrong password", "errorId": 21}
    assert right.status_code == 200
    listed = client.get("/api/reverse_shares", headers=auth(token)).json()["data"]
    assert "open sesame" not in str(listed)


def test_revoke_stops_uploads_at_once(client: httpx.Client, token: str) -> None:
    link = create_link(client, token)
    assert send(client, link["id"]).status_code == 200

    revoked = client.delete(f"/api/reverse_shares/{link['id']}", headers=auth(token))

    assert revoked.status_code == 200
    assert revoked.json() == {"status": "success", "message": "Upload link revoked"}
    response = send(client, link["id"])
    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Upload link not found"}
    assert client.get(f"/r/{link['id']}").status_code == 404
    listed = client.get("/api/reverse_shares", headers=auth(token)).json()["data"]
    assert link["id"] not in [shown["id"] for shown in listed]


def test_only_the_owner_revokes_a_link(client: httpx.Client, token: str) -> None:
    link = create_link(client, token)
    _, stranger = register(client)

    response = client.delete(f"/api/reverse_shares/{link['id']}", headers=auth(stranger))

    assert response.status_code == 404
    assert send(client, link["id"]).status_code == 200


def test_list_shows_the_owners_links_with_counts(client: httpx.Client) -> None:
    _, token = register(client)
    first = create_link(client, token, max_files=2)
    second = create_link(client, token, max_files=3)
    send(client, first["id"], b"abc")

    response = client.get("/api/reverse_shares", headers=auth(token))

    assert response.status_code == 200
    shown = {link["id"]: link for link in response.json()["data"]}
    assert set(shown) == {first["id"], second["id"]}
    assert (shown[first["id"]]["files_received"], shown[first["id"]]["bytes_received"]) == (1, 3)
    assert shown[first["id"]]["files_left"] == 1
    assert shown[second["id"]]["files_received"] == 0


def test_link_status_for_a_program(client: httpx.Client, token: str) -> None:
    link = create_link(client, token, max_files=2, max_bytes=500)

    response = client.get(f"/r/{link['id']}")

    assert response.status_code == 200
    body = response.json()
    assert (body["files_left"], body["bytes_left"], body["max_file_bytes"]) == (2, 500, 500)
    assert body["password"] is False


def test_group_link_needs_membership_and_files_land_in_the_group(client: httpx.Client) -> None:
    _, owner = register(client)
    _, outsider = register(client)
    group_id = create_group(client, owner)

    refused = client.post(
        "/api/reverse_shares",
        json={"max_files": 1, "max_bytes": 100, "group_id": str(group_id)},
        headers=auth(outsider),
    )
    link = create_link(client, owner, group_id=str(group_id))
    sent = send(client, link["id"], filename="for-the-group.txt")

    assert refused.status_code == 403
    assert link["group_id"] == f"{group_id:08d}"
    assert sent.status_code == 200
    group_files = client.get(f"/api/get_files/{group_id:08d}", headers=auth(owner)).json()["data"]
    assert [(f["user_filename"], f["received_via"]) for f in group_files] == [
        ("for-the-group.txt", link["id"])
    ]
    assert client.get("/api/get_files/private", headers=auth(owner)).json()["data"] == []


def test_expired_link_answers_404_and_cleanup_removes_it(
    client: httpx.Client, storage: StorageProbe, cleanup_at: object
) -> None:
    _, token = register(client)
    link = create_link(client, token, expires_in=1)
    kept = create_link(client, token, expires_in=3600)

    later = datetime.now(UTC) + timedelta(seconds=2) + CLOCK_SKEW_MARGIN + timedelta(seconds=60)
    cleanup_at(later)  # type: ignore[operator]

    assert storage.row("reverseshares", link["id"], "link") is None
    assert storage.row("reverseshares", kept["id"], "link") is not None
    assert send(client, link["id"]).status_code == 404
    listed = client.get("/api/reverse_shares", headers=auth(token)).json()["data"]
    assert [shown["id"] for shown in listed] == [kept["id"]]


def test_an_account_has_at_most_max_per_account_links(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_PER_ACCOUNT", 2)  # the server runs in this process
    _, token = register(client)
    create_link(client, token)
    second = create_link(client, token)

    refused = client.post(
        "/api/reverse_shares", json={"max_files": 1, "max_bytes": 1}, headers=auth(token)
    )
    client.delete(f"/api/reverse_shares/{second['id']}", headers=auth(token))
    again = client.post(
        "/api/reverse_shares", json={"max_files": 1, "max_bytes": 1}, headers=auth(token)
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "status": "error",
        "message": "Too many upload links: an account has at most 2",
        "errorId": 42,
    }
    assert again.status_code == 200
