"""MAX_FILES_PER_USER holds for files bound with POST /api/transfer as for uploads."""

from __future__ import annotations

import httpx

from tests.utils.accounts import auth, files_of, register
from tests.utils.files import upload


def _account_with_two_files(client: httpx.Client) -> tuple[str, list[str]]:
    _, token = register(client)
    return token, [upload(client, b"own", headers=auth(token))["file_url"] for _ in range(2)]


def test_transfer_beyond_max_files_per_user_binds_only_what_fits(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "3"
    token, owned = _account_with_two_files(client)
    anonymous = [upload(client, f"anon {i}".encode()) for i in range(5)]
    items = [{"file_url": a["file_url"], "key": a["key"]} for a in anonymous]

    response = client.post("/api/transfer", json={"data": items}, headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "transferred",
        "unsuccess": items[1:],
    }
    assert sorted(files_of(client, token)) == sorted([*owned, items[0]["file_url"]])
    # What did not fit stays as it was: anonymous, served, and deletable with its key.
    for i, refused in enumerate(anonymous[1:], start=1):
        assert client.get(f"/file/{refused['file_url']}").content == f"anon {i}".encode()
    again = client.post("/api/transfer", json={"data": items[1:]}, headers=auth(token))
    assert again.json()["unsuccess"] == items[1:]


def test_transfer_into_a_full_account_binds_nothing_and_deletes_nothing(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "2"
    token, owned = _account_with_two_files(client)
    anonymous = upload(client, b"anon")
    item = {"file_url": anonymous["file_url"], "key": anonymous["key"]}

    response = client.post("/api/transfer", json={"data": [item]}, headers=auth(token))

    assert response.json()["unsuccess"] == [item]
    assert sorted(files_of(client, token)) == sorted(owned)
    assert client.get(f"/file/{anonymous['file_url']}").content == b"anon"
