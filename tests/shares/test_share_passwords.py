"""A share with a password: one lock for its manifest, page, ZIP, previews and every file of it;
HTTP Basic for API clients, the password page and the share's unlock cookie for browsers."""

from __future__ import annotations

import io
import zipfile

import httpx

from tests.utils.shares import create_share, manifest
from tests.utils.storage import StorageProbe

SECRET = "share secret 42"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PNG = b"\x89PNG\r\n\x1a\n"


def _locked(client: httpx.Client, **data: str) -> dict[str, object]:
    share = create_share(
        client, {"plan.txt": b"the plan\n", "cat.png": PNG}, data={"password": SECRET, **data}
    )
    assert share["password_required"] is True
    return share


def _assert_401(response: httpx.Response, error_id: int) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["errorId"] == error_id
    assert "www-authenticate" not in response.headers


def test_manifest_without_password_tells_only_that_and_the_expiry(client: httpx.Client) -> None:
    share = _locked(client)

    response = manifest(client, str(share["share_id"]))

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "A password is needed",
        "password_required": True,
        "expires_at": share["expires_at"],
    }


def test_wrong_password_is_401_everywhere(client: httpx.Client) -> None:
    share = _locked(client)
    sid = share["share_id"]
    files = share["files"]
    assert isinstance(files, list)
    paths = [
        f"/s/{sid}",
        f"/s/{sid}/zip",
        f"/s/{sid}/files/{files[0]['file_url']}",
        f"/s/{sid}/preview/{files[1]['file_url']}",
        f"/file/{files[0]['file_url']}",
        f"/api/metadata/{files[0]['file_url']}",
    ]

    for path in paths:
        _assert_401(client.get(path, auth=("", "wrong")), 21)
    for path in paths[1:4]:
        _assert_401(client.get(path), 20)
    assert client.head(f"/s/{sid}/zip").status_code == 401


def test_right_password_opens_the_zip_and_the_files(client: httpx.Client) -> None:
    share = _locked(client)
    sid = share["share_id"]
    files = share["files"]
    assert isinstance(files, list)

    archive = client.get(f"/s/{sid}/zip", auth=("", SECRET))
    one = client.get(f"/file/{files[0]['file_url']}", auth=("anyone", SECRET))
    listed = client.get(f"/s/{sid}", auth=("", SECRET)).json()

    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert opened.read("plan.txt") == b"the plan\n"
    assert one.content == b"the plan\n"
    assert [f["user_filename"] for f in listed["files"]] == ["plan.txt", "cat.png"]


def test_browser_gets_the_password_page_then_the_cookie_opens_the_share(
    client: httpx.Client,
) -> None:
    share = _locked(client)
    sid = share["share_id"]
    files = share["files"]
    assert isinstance(files, list)

    page = client.get(f"/s/{sid}", headers=HTML)
    wrong = client.post(f"/s/{sid}/unlock", data={"password": "nope"}, headers=HTML)
    right = client.post(f"/s/{sid}/unlock", data={"password": SECRET}, headers=HTML)

    assert page.status_code == 401
    assert f'action="/s/{sid}/unlock"' in page.text
    assert "plan.txt" not in page.text
    assert wrong.status_code == 401
    assert right.status_code == 303
    assert right.headers["location"] == f"/s/{sid}"
    cookie = right.headers["set-cookie"]
    assert f"Path=/s/{sid}" in cookie
    assert "HttpOnly" in cookie
    # The client keeps the cookie, as a browser would, for every path under the share.
    opened = client.get(f"/s/{sid}", headers=HTML)
    assert opened.status_code == 200
    assert "plan.txt" in opened.text
    assert client.get(f"/s/{sid}/files/{files[0]['file_url']}").content == b"the plan\n"
    assert client.get(f"/s/{sid}/preview/{files[1]['file_url']}").content == PNG
    assert client.get(f"/s/{sid}/zip").status_code == 200
    client.cookies.clear()


def test_unlocking_never_counts_a_one_time_share(client: httpx.Client) -> None:
    share = _locked(client, max_downloads="1")
    sid = share["share_id"]

    client.post(f"/s/{sid}/unlock", data={"password": SECRET}, headers=HTML)
    client.cookies.clear()
    first = client.get(f"/s/{sid}/zip", auth=("", SECRET))
    second = client.get(f"/s/{sid}/zip", auth=("", SECRET))

    assert first.status_code == 200
    assert second.status_code == 404


def test_password_is_stored_only_as_an_argon2id_hash(
    client: httpx.Client, storage: StorageProbe
) -> None:
    share = _locked(client)

    row = storage.row("shares", str(share["share_id"]), "share")

    assert row is not None
    assert str(row["password_hash"]).startswith("$argon2id$")
    assert SECRET not in str(row)


def test_password_in_the_query_string_is_refused(client: httpx.Client) -> None:
    response = client.post("/api/shares", params={"password": SECRET}, json={})

    assert response.status_code == 400
    assert response.json()["errorId"] == 22


def test_json_share_takes_a_password(client: httpx.Client) -> None:
    response = client.post("/api/shares", json={"password": SECRET})

    assert response.status_code == 200
    assert response.json()["password_required"] is True
    _assert_401(client.get(f"/s/{response.json()['share_id']}/zip"), 20)


def test_browser_following_a_locked_zip_link_is_sent_to_the_share_page(
    client: httpx.Client,
) -> None:
    share = _locked(client)
    sid = share["share_id"]

    response = client.get(f"/s/{sid}/zip", headers=HTML)

    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{sid}"
