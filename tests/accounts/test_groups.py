"""Groups: create_group, delete_group, generate_invite, join, leave, invite_info, get_groups."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.utils.accounts import (
    auth,
    create_group,
    files_of,
    group_ids,
    group_with_member,
    invite_code,
    join,
    new_username,
    register,
)
from tests.utils.storage import StorageProbe

NOT_FOUND = {"status": "error", "message": "Group not found"}
NO_INVITE = {"status": "error", "message": "Invite link not found"}
UNKNOWN_GROUP = 99999999


def _group_upload(client: httpx.Client, token: str, group_id: int, content: bytes) -> str:
    response = client.post(
        f"/api/upload/{group_id}", files={"file": ("g.txt", content)}, headers=auth(token)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["file_url"])


# --- create_group -----------------------------------------------------------------------------


def test_create_group_returns_name_and_8_digit_id(client: httpx.Client) -> None:
    _, token = register(client)
    name = "New group " + new_username()

    response = client.post("/api/create_group", json={"group_name": name}, headers=auth(token))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "success",
        "message": "created",
        "name": name,
        "group_id": body["group_id"],
    }
    assert isinstance(body["group_id"], int)
    assert 10_000_000 <= body["group_id"] <= 99_999_999
    groups = client.get("/api/get_groups", headers=auth(token)).json()["groups"]
    assert groups == [{"name": name, "group_id": body["group_id"]}]


def test_create_group_ids_are_distinct(client: httpx.Client) -> None:
    _, token = register(client)

    ids = {create_group(client, token, "same name") for _ in range(5)}

    assert len(ids) == 5
    assert group_ids(client, token) == ids


def test_create_group_keeps_unicode_name(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post(
        "/api/create_group", json={"group_name": "Группа 🎉"}, headers=auth(token)
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Группа 🎉"


@pytest.mark.parametrize(
    "payload",
    [{"json": {}}, {"json": {"name": "x"}}, {"json": {"group_name": None}}, {"content": b"x"}],
    ids=["empty", "other-field", "null", "not-json"],
)
def test_create_group_without_name_is_400(client: httpx.Client, payload: dict[str, Any]) -> None:
    _, token = register(client)

    response = client.post("/api/create_group", headers=auth(token), **payload)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "No group_name provided"}
    assert group_ids(client, token) == set()


def test_create_group_name_of_51_chars_is_400(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post("/api/create_group", json={"group_name": "n" * 51}, headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "Group name length exceeded (50 chars)",
    }
    assert group_ids(client, token) == set()


def test_create_group_name_of_50_chars_succeeds(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post("/api/create_group", json={"group_name": "n" * 50}, headers=auth(token))

    assert response.status_code == 200
    assert response.json()["name"] == "n" * 50


# --- delete_group -----------------------------------------------------------------------------


def test_delete_group_by_owner_removes_it(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)

    response = client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "deleted"}
    assert group_id not in group_ids(client, owner)
    assert group_id not in group_ids(client, member)
    listed = client.get(f"/api/get_files/{group_id}", headers=auth(owner))
    assert listed.status_code == 404
    assert listed.json() == NOT_FOUND
    again = client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))
    assert again.status_code == 404
    assert again.json() == NOT_FOUND


def test_delete_group_deletes_its_files(client: httpx.Client, storage: StorageProbe) -> None:
    owner, member, group_id = group_with_member(client)
    in_group = [
        _group_upload(client, owner, group_id, b"by owner"),
        _group_upload(client, member, group_id, b"by member"),
    ]
    private = client.post(
        "/api/upload/private", files={"file": ("p.txt", b"private")}, headers=auth(member)
    ).json()["file_url"]
    assert all(storage.blob_exists(url) for url in in_group)

    response = client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))

    assert response.status_code == 200
    for url in in_group:
        assert client.get(f"/file/{url}").status_code == 404
        assert client.get(f"/api/metadata/{url}").status_code == 404
        assert not storage.blob_exists(url)
        assert storage.file_row(url) is None
    assert client.get(f"/file/{private}").content == b"private"
    assert files_of(client, member) == [private]


def test_delete_group_unknown_is_404(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.delete(f"/api/delete_group/{UNKNOWN_GROUP}", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_delete_group_by_non_owner_is_403(client: httpx.Client, who: str) -> None:
    owner, member, group_id = group_with_member(client)
    file_url = _group_upload(client, owner, group_id, b"stays")
    caller = member if who == "member" else register(client)[1]

    response = client.delete(f"/api/delete_group/{group_id}", headers=auth(caller))

    assert response.status_code == 403
    assert response.json() == {
        "status": "error",
        "message": "You don't have any permissions to delete this group",
    }
    assert group_id in group_ids(client, owner)
    assert files_of(client, owner, group_id) == [file_url]


# --- generate_invite --------------------------------------------------------------------------


def test_generate_invite_returns_link_on_request_host(client: httpx.Client, base_url: str) -> None:
    _, token = register(client)
    group_id = create_group(client, token)

    response = client.get(f"/api/generate_invite/{group_id}", headers=auth(token))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "message", "invite_link"}
    assert body["status"] == "success"
    assert body["message"] == "created"
    assert re.fullmatch(re.escape(base_url) + r"/invite/[A-Za-z0-9_-]{6,}", body["invite_link"])


def test_generate_invite_uses_public_base_url_when_set(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    _, token = register(client)
    group_id = create_group(client, token)
    settings_env["PUBLIC_BASE_URL"] = "https://share.example.org"

    response = client.get(f"/api/generate_invite/{group_id}", headers=auth(token))

    assert response.status_code == 200
    assert re.fullmatch(
        r"https://share\.example\.org/invite/[A-Za-z0-9_-]{6,}", response.json()["invite_link"]
    )


def test_generate_invite_codes_differ_between_groups(client: httpx.Client) -> None:
    _, token = register(client)

    codes = {invite_code(client, token, create_group(client, token)) for _ in range(3)}

    assert len(codes) == 3


def test_generate_invite_revokes_previous_code(client: httpx.Client) -> None:
    _, owner = register(client)
    _, member = register(client)
    group_id = create_group(client, owner)
    old = invite_code(client, owner, group_id)

    new = invite_code(client, owner, group_id)

    assert new != old
    for response in (
        client.post(f"/api/join/{old}", headers=auth(member)),
        client.get(f"/api/invite_info/{old}", headers=auth(member)),
    ):
        assert response.status_code == 404
        assert response.json() == NO_INVITE
    assert group_id not in group_ids(client, member)
    join(client, member, new)
    assert group_id in group_ids(client, member)


def test_generate_invite_unknown_group_is_404(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.get(f"/api/generate_invite/{UNKNOWN_GROUP}", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_generate_invite_by_non_owner_is_403(client: httpx.Client, who: str) -> None:
    owner, member, group_id = group_with_member(client)
    code = invite_code(client, owner, group_id)
    caller = member if who == "member" else register(client)[1]

    response = client.get(f"/api/generate_invite/{group_id}", headers=auth(caller))

    assert response.status_code == 403
    assert response.json() == {"status": "error", "message": "You don't have any permissions"}
    # The owner's code was not revoked by the refused attempt.
    info = client.get(f"/api/invite_info/{code}", headers=auth(caller))
    assert info.status_code == 200


# --- join -------------------------------------------------------------------------------------


def test_join_adds_member_to_group(client: httpx.Client) -> None:
    _, owner = register(client)
    _, member = register(client)
    name = "Join me " + new_username()
    group_id = create_group(client, owner, name)
    code = invite_code(client, owner, group_id)

    response = client.post(f"/api/join/{code}", headers=auth(member))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "created",
        "name": name,
        "group_id": group_id,
    }
    assert client.get("/api/get_groups", headers=auth(member)).json()["groups"] == [
        {"name": name, "group_id": group_id}
    ]
    listed = client.get(f"/api/get_files/{group_id}", headers=auth(member))
    assert listed.status_code == 200
    assert listed.json()["is_group_owner"] is False


def test_join_same_code_works_for_several_users(client: httpx.Client) -> None:
    _, owner = register(client)
    group_id = create_group(client, owner)
    code = invite_code(client, owner, group_id)
    members = [register(client)[1] for _ in range(2)]

    for member in members:
        join(client, member, code)

    assert all(group_id in group_ids(client, member) for member in members)


def test_join_unknown_code_is_404(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post(f"/api/join/no-such-code-{new_username()}", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == NO_INVITE
    assert group_ids(client, token) == set()


@pytest.mark.parametrize("who", ["member", "owner"])
def test_join_when_already_in_group_is_400(client: httpx.Client, who: str) -> None:
    owner, member, group_id = group_with_member(client)
    code = invite_code(client, owner, group_id)

    response = client.post(f"/api/join/{code}", headers=auth(member if who == "member" else owner))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "You are already in the group"}
    assert group_ids(client, member) == {group_id}
    assert group_ids(client, owner) == {group_id}


def test_join_after_group_deleted_is_404(client: httpx.Client) -> None:
    _, owner = register(client)
    _, member = register(client)
    group_id = create_group(client, owner)
    code = invite_code(client, owner, group_id)
    assert client.delete(f"/api/delete_group/{group_id}", headers=auth(owner)).status_code == 200

    joined = client.post(f"/api/join/{code}", headers=auth(member))
    info = client.get(f"/api/invite_info/{code}", headers=auth(member))

    assert joined.status_code == 404
    assert joined.json() == NO_INVITE
    assert info.status_code == 404
    assert info.json() == NO_INVITE
    assert group_ids(client, member) == set()


def test_join_after_leaving_is_possible_again(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)
    code = invite_code(client, owner, group_id)
    assert client.post(f"/api/leave/{group_id}", headers=auth(member)).status_code == 200

    join(client, member, code)

    assert group_id in group_ids(client, member)


# --- leave ------------------------------------------------------------------------------------


def test_leave_group_removes_membership(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)

    response = client.post(f"/api/leave/{group_id}", headers=auth(member))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "leaved"}
    assert group_ids(client, member) == set()
    listed = client.get(f"/api/get_files/{group_id}", headers=auth(member))
    assert listed.status_code == 403
    assert listed.json() == {"status": "error", "message": "You are not in the group"}
    upload = client.post(
        f"/api/upload/{group_id}", files={"file": ("g.txt", b"late")}, headers=auth(member)
    )
    assert upload.status_code == 403
    assert group_id in group_ids(client, owner)


def test_leave_group_twice_is_400(client: httpx.Client) -> None:
    _, member, group_id = group_with_member(client)
    assert client.post(f"/api/leave/{group_id}", headers=auth(member)).status_code == 200

    response = client.post(f"/api/leave/{group_id}", headers=auth(member))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "You are not in the group"}


def test_leave_group_never_joined_is_400(client: httpx.Client) -> None:
    _, _, group_id = group_with_member(client)
    _, stranger = register(client)

    response = client.post(f"/api/leave/{group_id}", headers=auth(stranger))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "You are not in the group"}


def test_leave_group_unknown_is_404(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post(f"/api/leave/{UNKNOWN_GROUP}", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_leave_group_by_owner_is_400(client: httpx.Client) -> None:
    owner, _, group_id = group_with_member(client)

    response = client.post(f"/api/leave/{group_id}", headers=auth(owner))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert "delete" in body["message"].lower()
    assert group_id in group_ids(client, owner)
    listed = client.get(f"/api/get_files/{group_id}", headers=auth(owner))
    assert listed.json()["is_group_owner"] is True


# --- invite_info ------------------------------------------------------------------------------


def test_invite_info_describes_group_without_joining(client: httpx.Client) -> None:
    _, owner = register(client)
    _, visitor = register(client)
    name = "Info " + new_username()
    group_id = create_group(client, owner, name)
    code = invite_code(client, owner, group_id)

    response = client.get(f"/api/invite_info/{code}", headers=auth(visitor))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "Info got successfully",
        "name": name,
        "group_id": group_id,
    }
    assert group_ids(client, visitor) == set()


def test_invite_info_unknown_code_is_404(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.get(f"/api/invite_info/unknown-{new_username()}", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == NO_INVITE


# --- get_groups -------------------------------------------------------------------------------


def test_get_groups_new_account_is_empty(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.get("/api/get_groups", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "groups got successfully",
        "groups": [],
    }


def test_get_groups_lists_created_and_joined_groups(client: httpx.Client) -> None:
    _, me = register(client)
    _, other = register(client)
    mine = create_group(client, me, "mine")
    theirs = create_group(client, other, "theirs")
    unrelated = create_group(client, other, "unrelated")
    join(client, me, invite_code(client, other, theirs))

    response = client.get("/api/get_groups", headers=auth(me))

    assert response.status_code == 200
    groups = response.json()["groups"]
    assert sorted(groups, key=str) == sorted(
        [{"name": "mine", "group_id": mine}, {"name": "theirs", "group_id": theirs}], key=str
    )
    assert unrelated not in group_ids(client, me)


def test_get_groups_drops_left_and_deleted_groups(client: httpx.Client) -> None:
    _, me = register(client)
    _, other = register(client)
    left = create_group(client, other)
    deleted = create_group(client, other)
    kept = create_group(client, other)
    for group_id in (left, deleted, kept):
        join(client, me, invite_code(client, other, group_id))

    assert client.post(f"/api/leave/{left}", headers=auth(me)).status_code == 200
    assert client.delete(f"/api/delete_group/{deleted}", headers=auth(other)).status_code == 200

    assert group_ids(client, me) == {kept}
    assert group_ids(client, other) == {left, kept}
