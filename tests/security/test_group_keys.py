"""Group files: delete keys go only to each file's uploader; the owner manages with a token."""

from __future__ import annotations

import httpx

from tests.utils.accounts import (
    auth,
    claims_of,
    files_of,
    group_with_member,
    invite_code,
    register,
)
from tests.utils.files import upload

NO_PERMISSION = {"status": "error", "message": "You don't have any permissions to delete this file"}


def _listing(client: httpx.Client, token: str, group_id: int) -> dict[str, object]:
    response = client.get(f"/api/get_files/{group_id}", headers=auth(token))
    assert response.status_code == 200, response.text
    return {entry["file_url"]: entry["key"] for entry in response.json()["data"]}


def test_group_listing_gives_each_member_only_the_keys_of_their_own_uploads(
    client: httpx.Client,
) -> None:
    owner, member, group_id = group_with_member(client)
    owners = upload(client, b"owner's", headers=auth(owner), group=str(group_id))
    members = upload(client, b"member's", headers=auth(member), group=str(group_id))

    assert _listing(client, member, group_id) == {
        owners["file_url"]: None,
        members["file_url"]: members["key"],
    }
    assert _listing(client, owner, group_id) == {
        owners["file_url"]: owners["key"],
        members["file_url"]: None,
    }


def test_member_who_left_cannot_delete_the_owners_file_from_a_saved_listing(
    client: httpx.Client,
) -> None:
    owner, member, group_id = group_with_member(client)
    owners = upload(client, b"owner's", headers=auth(owner), group=str(group_id))
    saved = client.get(f"/api/get_files/{group_id}", headers=auth(member)).json()["data"]
    assert client.post(f"/api/leave/{group_id}", headers=auth(member)).status_code == 200

    for entry in saved:
        assert entry["key"] is None
        refused = client.get(f"/api/delete/{entry['file_url']}", headers=auth(member))
        assert refused.status_code == 403
        assert refused.json() == NO_PERMISSION

    assert client.get(f"/file/{owners['file_url']}").content == b"owner's"


def test_group_owner_deletes_a_members_file_with_a_bearer_token(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)
    members = upload(client, b"member's", headers=auth(member), group=str(group_id))

    response = client.delete(f"/api/delete/{members['file_url']}", headers=auth(owner))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "File deleted successfully"}
    assert client.get(f"/file/{members['file_url']}").status_code == 404
    assert files_of(client, owner, group_id) == []


def test_uploader_deletes_their_own_file_with_a_bearer_token(client: httpx.Client) -> None:
    _, member, group_id = group_with_member(client)
    _, alone = register(client)
    in_group = upload(client, b"g", headers=auth(member), group=str(group_id))
    private = upload(client, b"p", headers=auth(alone))

    for token, file_url in ((member, in_group["file_url"]), (alone, private["file_url"])):
        assert client.get(f"/api/delete/{file_url}", headers=auth(token)).status_code == 200
    assert client.get(f"/file/{in_group['file_url']}").status_code == 404
    assert client.get(f"/file/{private['file_url']}").status_code == 404


def test_member_cannot_delete_another_members_file_with_a_token(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)
    owners = upload(client, b"owner's", headers=auth(owner), group=str(group_id))
    _, stranger = register(client)
    anonymous = upload(client, b"nobody's")

    for token, file_url in ((member, owners["file_url"]), (stranger, anonymous["file_url"])):
        response = client.delete(f"/api/delete/{file_url}", headers=auth(token))
        assert response.status_code == 403
        assert response.json() == NO_PERMISSION
    assert client.get(f"/file/{owners['file_url']}").status_code == 200
    assert client.get(f"/file/{anonymous['file_url']}").status_code == 200


def test_owner_removes_a_member_whose_access_ends_at_once(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)
    member_name = claims_of(member)["sub"]
    code = invite_code(client, owner, group_id)

    response = client.post(f"/api/groups/{group_id}/remove/{member_name}", headers=auth(owner))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "removed"}
    assert client.get(f"/api/get_files/{group_id}", headers=auth(member)).status_code == 403
    refused = client.post(
        f"/api/upload/{group_id}", files={"file": ("a.txt", b"x")}, headers=auth(member)
    )
    assert refused.status_code == 403
    assert refused.json() == {"status": "error", "message": "You are not in the group"}
    # The invite the member came in with no longer works, for them or anyone they passed it to.
    rejoin = client.post(f"/api/join/{code}", headers=auth(member))
    assert rejoin.status_code == 404
    assert rejoin.json() == {"status": "error", "message": "Invite link not found"}
    assert group_id not in {
        g["group_id"] for g in client.get("/api/get_groups", headers=auth(member)).json()["groups"]
    }


def test_only_the_owner_removes_members(client: httpx.Client) -> None:
    owner, member, group_id = group_with_member(client)
    owner_name = claims_of(owner)["sub"]

    by_member = client.post(f"/api/groups/{group_id}/remove/{owner_name}", headers=auth(member))
    of_owner = client.post(f"/api/groups/{group_id}/remove/{owner_name}", headers=auth(owner))
    of_stranger = client.post(f"/api/groups/{group_id}/remove/nobody-here", headers=auth(owner))

    assert by_member.status_code == 403
    assert by_member.json() == {"status": "error", "message": "You don't have any permissions"}
    assert of_owner.status_code == 400
    assert of_owner.json() == {
        "status": "error",
        "message": "The owner cannot be removed; delete the group instead",
    }
    assert of_stranger.status_code == 400
    assert of_stranger.json() == {"status": "error", "message": "The user is not in the group"}
    assert client.get(f"/api/get_files/{group_id}", headers=auth(member)).status_code == 200
