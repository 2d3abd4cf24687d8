"""Links with a password: HTTP Basic for API clients, the password page and its unlock cookie
for browsers; nothing revealed, redirected or counted before the check."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.utils.direct import direct_upload
from tests.utils.files import upload
from tests.utils.storage import StorageProbe

SECRET = "correct horse battery staple"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _locked(client: httpx.Client, content: bytes = b"locked bytes\n", **data: str) -> str:
    body = upload(client, content, filename="plans.txt", data={"password": SECRET, **data})
    assert body["password_required"] is True
    return str(body["file_url"])


def _assert_401(response: httpx.Response, error_id: int) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["status"] == "error"
    assert response.json()["errorId"] == error_id
    assert "www-authenticate" not in response.headers


def test_download_without_password_is_401_with_error_20(client: httpx.Client) -> None:
    file_url = _locked(client)

    response = client.get(f"/file/{file_url}")

    _assert_401(response, 20)
    assert b"locked bytes" not in response.content


def test_download_with_wrong_password_is_401_with_error_21(client: httpx.Client) -> None:
    file_url = _locked(client)

    response = client.get(f"/file/{file_url}", auth=("", "not it"))

    _assert_401(response, 21)


def test_download_with_right_password_any_user_name_gets_the_bytes(client: httpx.Client) -> None:
    file_url = _locked(client)

    anonymous = client.get(f"/file/{file_url}", auth=("", SECRET))
    named = client.get(f"/f/{file_url}", auth=("anyone", SECRET))
    head = client.head(f"/file/{file_url}")

    assert anonymous.status_code == 200
    assert anonymous.content == b"locked bytes\n"
    assert named.content == b"locked bytes\n"
    assert head.status_code == 401


def test_file_without_password_needs_none(client: httpx.Client) -> None:
    body = upload(client, b"open", data={"password": ""})

    response = client.get(f"/file/{body['file_url']}")

    assert body["password_required"] is False
    assert response.content == b"open"


def test_password_is_stored_only_as_an_argon2id_hash(
    client: httpx.Client, storage: StorageProbe
) -> None:
    file_url = _locked(client)

    row = storage.file_row(file_url)

    assert row is not None
    assert str(row["password_hash"]).startswith("$argon2id$")
    assert SECRET not in str(row)


def test_metadata_without_password_tells_only_that_and_the_expiry(client: httpx.Client) -> None:
    file_url = _locked(client)

    locked = client.get(f"/api/metadata/{file_url}")
    wrong = client.get(f"/api/metadata/{file_url}", auth=("", "nope"))
    opened = client.get(f"/api/metadata/{file_url}", auth=("", SECRET))

    assert locked.status_code == 200
    assert set(locked.json()) == {"status", "message", "password_required", "expires_at"}
    assert locked.json()["password_required"] is True
    assert "plans" not in locked.text
    _assert_401(wrong, 21)
    assert opened.json()["original_name"] == "plans.txt"
    assert opened.json()["password_required"] is True
    assert opened.json()["expires_at"] == locked.json()["expires_at"]


def test_one_time_link_survives_wrong_and_right_unlocks_and_metadata(
    client: httpx.Client,
) -> None:
    file_url = _locked(client, max_downloads="1")

    client.get(f"/file/{file_url}", auth=("", "wrong"))
    client.get(f"/api/metadata/{file_url}", auth=("", SECRET))
    wrong = client.post(f"/file/{file_url}/unlock", data={"password": "wrong"}, headers=HTML)
    right = client.post(f"/file/{file_url}/unlock", data={"password": SECRET}, headers=HTML)
    page = client.get(f"/file/{file_url}", headers=HTML)

    assert wrong.status_code == 401
    assert right.status_code == 303
    assert page.status_code == 200  # the download page: still one download left
    assert ">1<" in page.text
    assert client.get(f"/api/metadata/{file_url}", auth=("", SECRET)).json()["download_count"] == 0
    downloaded = client.get(f"/file/{file_url}", auth=("", SECRET))
    assert downloaded.content == b"locked bytes\n"
    assert client.get(f"/file/{file_url}", auth=("", SECRET)).status_code == 404


def test_browser_gets_the_password_page_not_a_basic_dialog(client: httpx.Client) -> None:
    file_url = _locked(client)

    response = client.get(f"/file/{file_url}", headers=HTML)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "www-authenticate" not in response.headers
    assert "script-src" in response.headers["content-security-policy"]
    assert f'action="/file/{file_url}/unlock"' in response.text
    assert 'type="password"' in response.text
    assert "plans" not in response.text
    assert "locked bytes" not in response.text
    assert "expires" in response.text


def test_unlock_sets_a_scoped_cookie_that_opens_the_link(client: httpx.Client) -> None:
    file_url = _locked(client)

    unlocked = client.post(f"/file/{file_url}/unlock", data={"password": SECRET}, headers=HTML)

    assert unlocked.status_code == 303
    assert unlocked.headers["location"] == f"/file/{file_url}"
    cookie = unlocked.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", f"Path=/file/{file_url}", "Max-Age=1800"):
        assert attribute in cookie
    assert SECRET not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    opened = client.get(
        f"/file/{file_url}", headers={**HTML, "Cookie": f"fileshare_unlock={token}"}
    )
    assert opened.status_code == 200
    assert opened.content == b"locked bytes\n"


def test_unlock_cookie_opens_no_other_link(client: httpx.Client) -> None:
    first, second = _locked(client), _locked(client)
    unlocked = client.post(f"/file/{first}/unlock", data={"password": SECRET})
    token = unlocked.headers["set-cookie"].split(";")[0].split("=", 1)[1]

    response = client.get(f"/file/{second}", headers={"Cookie": f"fileshare_unlock={token}"})

    _assert_401(response, 20)


def test_wrong_unlock_shows_the_page_again_with_401(client: httpx.Client) -> None:
    file_url = _locked(client)

    response = client.post(f"/file/{file_url}/unlock", data={"password": "no"}, headers=HTML)

    assert response.status_code == 401
    assert "Wrong password" in response.text
    assert f'action="/file/{file_url}/unlock"' in response.text
    assert "set-cookie" not in response.headers


def test_direct_redirect_only_after_the_check(client: httpx.Client) -> None:
    file_url = _locked(client)

    refused = client.get(f"/file/{file_url}", params={"direct": "1"})
    redirected = client.get(f"/file/{file_url}", params={"direct": "1"}, auth=("", SECRET))

    _assert_401(refused, 20)
    assert "location" not in refused.headers
    assert redirected.status_code == 302
    assert httpx.get(redirected.headers["location"]).content == b"locked bytes\n"


def test_direct_upload_with_password(client: httpx.Client) -> None:
    body = direct_upload(client, b"direct secret", password=SECRET)

    refused = client.get(f"/file/{body['file_url']}")
    opened = client.get(f"/file/{body['file_url']}", auth=("", SECRET))

    assert body["password_required"] is True
    _assert_401(refused, 20)
    assert opened.content == b"direct secret"


def test_password_in_a_query_string_is_400(client: httpx.Client) -> None:
    file_url = _locked(client)

    uploaded = client.post(
        "/api/upload/private", files={"file": ("a.txt", b"x")}, params={"password": SECRET}
    )
    downloaded = client.get(f"/file/{file_url}", params={"password": SECRET})

    for response in (uploaded, downloaded):
        assert response.status_code == 400
        assert response.json()["errorId"] == 22
        assert "URL" in response.json()["message"]


def test_password_too_long_is_400(client: httpx.Client) -> None:
    multipart = client.post(
        "/api/upload/private", files={"file": ("a.txt", b"x")}, data={"password": "p" * 1025}
    )
    direct = client.post("/api/uploads", json={"filename": "a", "size": 1, "password": "p" * 1025})

    for response in (multipart, direct):
        assert response.status_code == 400, response.text
        assert response.json()["errorId"] == 23


def test_locked_txt_link_is_not_a_shortener_redirect(client: httpx.Client) -> None:
    file_url = _locked(client, b"https://example.com/elsewhere")

    response = client.get(f"/file/{file_url}", auth=("", SECRET))

    assert response.status_code == 200
    assert response.content == b"https://example.com/elsewhere"


def test_wrong_passwords_are_rate_limited_per_client(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    file_url = _locked(client)
    settings_env["WRONG_PASSWORD_LIMIT"] = "2"
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = "3600"

    # At most two wrong guesses are answered (fewer if this address guessed wrong earlier in
    # the window); then every attempt is refused, the right password too.
    answered = []
    for guess in range(3):
        response = client.get(f"/file/{file_url}", auth=("", f"guess {guess}"))
        if response.status_code == 429:
            break
        answered.append(response.status_code)
    right = client.get(f"/file/{file_url}", auth=("", SECRET))

    assert answered
    assert set(answered) == {401}
    assert len(answered) <= 2
    for refused in (response, right):
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert b"locked bytes" not in refused.content


@pytest.mark.parametrize("path", ["file", "f"])
def test_unlock_of_unknown_link_is_404(client: httpx.Client, path: str) -> None:
    response = client.post(f"/{path}/Zz{os.urandom(7).hex()}/unlock", data={"password": "x"})

    assert response.status_code == 404


def test_metadata_with_wrong_password_in_a_browser_is_the_plain_error_page(
    client: httpx.Client,
) -> None:
    file_url = _locked(client)

    response = client.get(f"/api/metadata/{file_url}", auth=("", "no"), headers=HTML)

    assert response.status_code == 401
    assert "Wrong password" in response.text
    assert "<form" not in response.text


def test_unlock_route_takes_only_post(client: httpx.Client) -> None:
    file_url = _locked(client)

    response = client.get(f"/file/{file_url}/unlock")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
