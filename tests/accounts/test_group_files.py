"""Files in accounts and groups: uploads with a token, GET /api/get_files, POST /api/transfer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.utils.accounts import (
    assert_auth_error,
    auth,
    create_group,
    files_of,
    group_with_member,
    login,
    new_username,
    register,
)
from tests.utils.files import upload
from tests.utils.storage import StorageProbe


def _upload_to(client: httpx.Client, group: str | int, token: str | None) -> httpx.Response:
    return client.post(
        f"/api/upload/{group}",
        files={"file": ("g.txt", b"group file")},
        headers=auth(token) if token else None,
    )


def _contract_date(moment: datetime) -> str:
    return f"{moment.day}.{moment.month}.{moment.year}"


# --- uploads into an account ------------------------------------------------------------------


def test_upload_with_token_is_synced_and_listed(client: httpx.Client) -> None:
    username, token = register(client)
    before = datetime.now(UTC)

    body = upload(client, b"mine", filename="Mine.TXT", headers=auth(token))

    assert body["synced"] is True
    assert body["auth_error"] == {}
    response = client.get("/api/get_files/private", headers=auth(token))
    assert response.status_code == 200
    listed = response.json()
    assert listed["status"] == "success"
    assert listed["message"] == "files got successfully"
    assert listed["username"] == username
    assert listed["is_group_owner"] is False
    assert len(listed["data"]) == 1
    entry = listed["data"][0]
    assert entry.pop("creation_date") in {
        _contract_date(before),
        _contract_date(datetime.now(UTC)),
    }
    assert entry == {
        "file_url": body["file_url"],
        "file_url_full": body["file_url_full"],
        "key": body["key"],
        "ext": ".txt",
        "user_filename": "Mine.TXT",
        "synced": True,
        "size": 4,
        "expires_at": body["expires_at"],
        "received_via": None,
    }


def test_get_files_new_account_is_empty(client: httpx.Client) -> None:
    username, token = register(client)

    response = client.get("/api/get_files/private", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "files got successfully",
        "username": username,
        "is_group_owner": False,
        "data": [],
    }


def test_get_files_lists_newest_first(client: httpx.Client) -> None:
    _, token = register(client)

    urls = [upload(client, headers=auth(token))["file_url"] for _ in range(3)]

    assert files_of(client, token) == urls[::-1]


def test_get_files_lists_only_own_files(client: httpx.Client) -> None:
    _, alice = register(client)
    _, bob = register(client)
    mine = upload(client, headers=auth(alice))["file_url"]
    theirs = upload(client, headers=auth(bob))["file_url"]
    upload(client)  # anonymous

    assert files_of(client, alice) == [mine]
    assert files_of(client, bob) == [theirs]


def test_upload_without_token_is_unsynced_and_not_listed(client: httpx.Client) -> None:
    _, token = register(client)

    body = upload(client)

    assert body["synced"] is False
    assert body["auth_error"] == {"message": "No Authorization header provided", "errorId": -1}
    assert body["file_url"] not in files_of(client, token)
    assert client.get(f"/file/{body['file_url']}").content == b"hello world\n"


def test_upload_with_revoked_token_on_private_is_unsynced(client: httpx.Client) -> None:
    username, token = register(client)
    assert client.post("/api/logout", headers=auth(token)).status_code == 200

    body = upload(client, headers=auth(token))

    assert body["synced"] is False
    assert body["auth_error"] == {"message": "Token not found", "errorId": -5}
    assert files_of(client, login(client, username)) == []


def test_upload_with_invalid_token_on_private_still_uploads(client: httpx.Client) -> None:
    body = upload(client, b"anyway", headers=auth("not-a-jwt"))

    assert body["synced"] is False
    assert body["auth_error"] == {"message": "Invalid access token", "errorId": -4}
    assert client.get(f"/file/{body['file_url']}").content == b"anyway"


def test_get_files_skips_expired_files(client: httpx.Client) -> None:
    _, token = register(client)
    brief = upload(client, headers=auth(token), params={"expires_in": "1"})["file_url"]
    lasting = upload(client, headers=auth(token))["file_url"]
    assert files_of(client, token) == [lasting, brief]

    time.sleep(2)

    assert files_of(client, token) == [lasting]


def test_get_files_drops_deleted_file(client: httpx.Client) -> None:
    _, token = register(client)
    gone = upload(client, headers=auth(token))
    kept = upload(client, headers=auth(token))

    deleted = client.get(f"/api/delete/{gone['file_url']}", params={"key": gone["key"]})

    assert deleted.status_code == 200
    assert files_of(client, token) == [kept["file_url"]]


# --- uploads into a group ---------------------------------------------------------------------


def test_upload_to_group_by_member_is_listed_in_group_only(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)

    response = _upload_to(client, group_id, member)

    assert response.status_code == 200
    body = response.json()
    assert body["synced"] is True
    assert body["auth_error"] == {}
    # The key only to its uploader (tests/security/test_group_keys.py).
    for token, is_owner, key in ((owner, True, None), (member, False, body["key"])):
        listed = client.get(f"/api/get_files/{group_id}", headers=auth(token))
        assert listed.status_code == 200
        assert listed.json()["is_group_owner"] is is_owner
        assert [e["file_url"] for e in listed.json()["data"]] == [body["file_url"]]
        assert listed.json()["data"][0]["key"] == key
    assert files_of(client, member) == []
    assert client.get(f"/file/{body['file_url']}").content == b"group file"


def test_get_files_of_group_shows_everyones_uploads_newest_first(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)

    first = _upload_to(client, group_id, owner).json()["file_url"]
    second = _upload_to(client, group_id, member).json()["file_url"]

    assert files_of(client, member, group_id) == [second, first]
    assert files_of(client, owner, group_id) == [second, first]


def test_get_files_of_new_group_is_empty_for_owner(client: httpx.Client) -> None:
    username, token = register(client)
    group_id = create_group(client, token)

    response = client.get(f"/api/get_files/{group_id}", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "files got successfully",
        "username": username,
        "is_group_owner": True,
        "data": [],
    }


@pytest.mark.parametrize(
    ("header", "error_id"),
    [(None, -1), ("Token x", -2), ("Bearer not-a-jwt", -4)],
)
def test_upload_to_group_without_valid_token_is_401(
    client: httpx.Client, storage: StorageProbe, header: str | None, error_id: int
) -> None:
    owner, _, group_id = group_with_member(client)
    before = storage.snapshot()

    response = client.post(
        f"/api/upload/{group_id}",
        files={"file": ("g.txt", b"nope")},
        headers={"Authorization": header} if header else None,
    )

    assert_auth_error(response, error_id)
    assert storage.snapshot() == before
    assert files_of(client, owner, group_id) == []


@pytest.mark.parametrize("group", ["abc", "12ab"])
@pytest.mark.parametrize("action", ["upload", "get_files"])
def test_group_endpoint_with_non_numeric_id_is_400(
    client: httpx.Client, storage: StorageProbe, action: str, group: str
) -> None:
    _, token = register(client)
    before = storage.snapshot()

    if action == "upload":
        response = _upload_to(client, group, token)
    else:
        response = client.get(f"/api/get_files/{group}", headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Invalid group id"}
    assert storage.snapshot() == before


@pytest.mark.parametrize("action", ["upload", "get_files"])
def test_group_endpoint_with_unknown_group_is_404(
    client: httpx.Client, storage: StorageProbe, action: str
) -> None:
    _, token = register(client)
    before = storage.snapshot()

    if action == "upload":
        response = _upload_to(client, 99999999, token)
    else:
        response = client.get("/api/get_files/99999999", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Group not found"}
    assert storage.snapshot() == before


@pytest.mark.parametrize("group", ["1", "1234567", "123456789", "0" * 40])
@pytest.mark.parametrize(
    "action", ["upload", "get_files", "leave", "delete_group", "generate_invite"]
)
def test_group_endpoint_with_a_number_of_another_length_is_404(
    client: httpx.Client, storage: StorageProbe, action: str, group: str
) -> None:
    _, token = register(client)
    before = storage.snapshot()

    response = {
        "upload": lambda: _upload_to(client, group, token),
        "get_files": lambda: client.get(f"/api/get_files/{group}", headers=auth(token)),
        "leave": lambda: client.post(f"/api/leave/{group}", headers=auth(token)),
        "delete_group": lambda: client.delete(f"/api/delete_group/{group}", headers=auth(token)),
        "generate_invite": lambda: client.get(f"/api/generate_invite/{group}", headers=auth(token)),
    }[action]()

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Group not found"}
    assert storage.snapshot() == before


@pytest.mark.parametrize("action", ["upload", "get_files"])
def test_group_endpoint_by_non_member_is_403(
    client: httpx.Client, storage: StorageProbe, action: str
) -> None:
    owner, _, group_id = group_with_member(client)
    secret = _upload_to(client, group_id, owner).json()["file_url"]
    _, stranger = register(client, new_username("stranger"))
    before = storage.snapshot()

    if action == "upload":
        response = _upload_to(client, group_id, stranger)
    else:
        response = client.get(f"/api/get_files/{group_id}", headers=auth(stranger))

    assert response.status_code == 403
    assert response.json() == {"status": "error", "message": "You are not in the group"}
    assert secret not in response.text
    assert storage.snapshot() == before
    assert files_of(client, owner, group_id) == [secret]


# --- transfer ---------------------------------------------------------------------------------


def test_transfer_binds_anonymous_uploads_to_account(client: httpx.Client) -> None:
    _, token = register(client)
    first, second = upload(client, b"one"), upload(client, b"two")
    items = [{"file_url": f["file_url"], "key": f["key"]} for f in (first, second)]

    response = client.post("/api/transfer", json={"data": items}, headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "transferred", "unsuccess": []}
    assert set(files_of(client, token)) == {first["file_url"], second["file_url"]}
    assert client.get(f"/file/{first['file_url']}").content == b"one"


def test_transfer_reports_failures_in_unsuccess(client: httpx.Client) -> None:
    _, token = register(client)
    _, other = register(client)
    good = upload(client, b"good")
    wrong_key = upload(client, b"wrong key")
    owned = upload(client, b"owned", headers=auth(other))
    failing = [
        {"file_url": wrong_key["file_url"], "key": "00000000-0000-4000-8000-000000000000"},
        {"file_url": "NoSuchFile000000", "key": good["key"]},
        {"file_url": owned["file_url"], "key": owned["key"]},
    ]
    data = [failing[0], {"file_url": good["file_url"], "key": good["key"]}, *failing[1:]]

    response = client.post("/api/transfer", json={"data": data}, headers=auth(token))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["message"] == "transferred"
    assert sorted(body["unsuccess"], key=str) == sorted(failing, key=str)
    assert files_of(client, token) == [good["file_url"]]
    assert files_of(client, other) == [owned["file_url"]]
    assert client.get(f"/file/{wrong_key['file_url']}").content == b"wrong key"


def test_transfer_twice_fails_for_the_second_account(client: httpx.Client) -> None:
    _, first = register(client)
    _, second = register(client)
    anonymous = upload(client)
    item = {"file_url": anonymous["file_url"], "key": anonymous["key"]}

    taken = client.post("/api/transfer", json={"data": [item]}, headers=auth(first))
    again = client.post("/api/transfer", json={"data": [item]}, headers=auth(second))

    assert taken.status_code == 200
    assert taken.json()["unsuccess"] == []
    assert again.status_code == 200
    assert again.json()["unsuccess"] == [item]
    assert files_of(client, first) == [anonymous["file_url"]]
    assert files_of(client, second) == []


def test_transfer_of_expired_upload_fails(client: httpx.Client) -> None:
    _, token = register(client)
    brief = upload(client, params={"expires_in": "1"})
    item = {"file_url": brief["file_url"], "key": brief["key"]}
    time.sleep(2)

    response = client.post("/api/transfer", json={"data": [item]}, headers=auth(token))

    assert response.status_code == 200
    assert response.json()["unsuccess"] == [item]
    assert files_of(client, token) == []


def test_transfer_empty_data_transfers_nothing(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post("/api/transfer", json={"data": []}, headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "transferred", "unsuccess": []}


@pytest.mark.parametrize(
    "payload",
    [
        {"content": b"data=1", "headers": {"Content-Type": "text/plain"}},
        {"content": b""},
        {"content": b"{not json"},
    ],
    ids=["form", "empty", "broken"],
)
def test_transfer_unparseable_body_is_400(client: httpx.Client, payload: dict[str, Any]) -> None:
    _, token = register(client)
    headers = {**payload.pop("headers", {}), **auth(token)}

    response = client.post("/api/transfer", headers=headers, **payload)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Couldn't parse request body"}


@pytest.mark.parametrize("body", [{}, {"files": []}], ids=["empty", "other-field"])
def test_transfer_without_data_field_is_400(client: httpx.Client, body: dict[str, Any]) -> None:
    _, token = register(client)

    response = client.post("/api/transfer", json=body, headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "No data field in request body"}
