"""Accounts and tokens: register, login, refresh_token, logout, and section 1.1's auth errors."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.utils.accounts import (
    PASSWORD,
    assert_auth_error,
    auth,
    claims_of,
    files_of,
    forge,
    login,
    new_username,
    register,
)

# Every endpoint that requires a token, with a request that would otherwise be well formed.
PROTECTED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/get_files/private", None),
    ("POST", "/api/transfer", {"data": []}),
    ("POST", "/api/logout", None),
    ("POST", "/api/create_group", {"group_name": "g"}),
    ("DELETE", "/api/delete_group/12345678", None),
    ("GET", "/api/generate_invite/12345678", None),
    ("POST", "/api/join/some-code", None),
    ("POST", "/api/leave/12345678", None),
    ("GET", "/api/invite_info/some-code", None),
    ("GET", "/api/get_groups", None),
]


def _credentials(username: str, password: str = PASSWORD) -> dict[str, str]:
    return {"username": username, "password": password}


def _get_files(client: httpx.Client, token: str) -> httpx.Response:
    return client.get("/api/get_files/private", headers=auth(token))


# --- register ---------------------------------------------------------------------------------


def test_register_returns_token_for_new_account(client: httpx.Client) -> None:
    username = new_username()

    response = client.post("/api/register", json=_credentials(username))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "accessToken", "username", "message"}
    assert body["status"] == "success"
    assert body["username"] == username
    assert body["message"] == "logged in with password"
    listed = _get_files(client, body["accessToken"])
    assert listed.status_code == 200
    assert listed.json()["username"] == username


def test_register_never_returns_the_password(client: httpx.Client) -> None:
    username, password = new_username(), "secret-" + new_username()

    registered = client.post("/api/register", json=_credentials(username, password))
    logged_in = client.post("/api/login", json=_credentials(username, password))
    wrong = client.post("/api/login", json=_credentials(username, password + "x"))

    assert [r.status_code for r in (registered, logged_in, wrong)] == [200, 200, 403]
    for response in (registered, logged_in, wrong):
        assert password not in response.text


def test_register_existing_username_is_400_errorid_1(client: httpx.Client) -> None:
    username, _ = register(client)

    response = client.post("/api/register", json=_credentials(username, "another password"))

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "An account with this name is already registered",
        "errorId": 1,
    }
    assert client.post("/api/login", json=_credentials(username)).status_code == 200


def test_register_username_differing_only_in_case_is_400_errorid_1(client: httpx.Client) -> None:
    username = "Alice-" + new_username()
    register(client, username)

    response = client.post("/api/register", json=_credentials(username.lower(), "other password"))

    assert response.status_code == 400
    assert response.json()["errorId"] == 1


@pytest.mark.parametrize("path", ["/api/register", "/api/login"])
@pytest.mark.parametrize(
    "payload",
    [
        {"json": {}},
        {"json": {"username": "someone-without-password"}},
        {"json": {"password": PASSWORD}},
        {"json": {"username": None, "password": PASSWORD}},
        {"json": ["username", "password"]},
        {"content": b"username=a&password=b", "headers": {"Content-Type": "text/plain"}},
        {"content": b""},
    ],
    ids=["empty", "no-password", "no-username", "null-username", "array", "not-json", "no-body"],
)
def test_credentials_missing_is_400_errorid_2(
    client: httpx.Client, path: str, payload: dict[str, Any]
) -> None:
    response = client.post(path, **payload)

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "No username/password provided",
        "errorId": 2,
    }


@pytest.mark.parametrize(
    "username", ["ab", "a" * 33, "tab\tname", "new\nline", "nul\x00name"], ids=repr
)
def test_register_username_out_of_rules_is_400_errorid_6(
    client: httpx.Client, username: str
) -> None:
    response = client.post("/api/register", json=_credentials(username))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["errorId"] == 6
    assert body["message"]
    assert client.post("/api/login", json=_credentials(username)).status_code != 200


@pytest.mark.parametrize("length", [3, 32])
def test_register_username_at_length_bounds_succeeds(client: httpx.Client, length: int) -> None:
    username = new_username("u").replace("-", "")[-length:].rjust(length, "x")

    response = client.post("/api/register", json=_credentials(username))

    assert response.status_code == 200, response.text
    assert response.json()["username"] == username


def test_register_username_with_spaces_succeeds(client: httpx.Client) -> None:
    username = "My cool " + new_username()

    response = client.post("/api/register", json=_credentials(username))

    assert response.status_code == 200, response.text
    assert response.json()["username"] == username
    assert client.post("/api/login", json=_credentials(username)).status_code == 200


@pytest.mark.parametrize("password", ["x" * 7, "x" * 257], ids=["7", "257"])
def test_register_password_out_of_rules_is_400_errorid_7(
    client: httpx.Client, password: str
) -> None:
    username = new_username()

    response = client.post("/api/register", json=_credentials(username, password))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["errorId"] == 7
    assert body["message"]
    # Nothing was created: the name is still free.
    assert client.post("/api/login", json=_credentials(username, password)).status_code == 404


@pytest.mark.parametrize("length", [8, 256])
def test_register_password_at_length_bounds_succeeds(client: httpx.Client, length: int) -> None:
    username, password = new_username(), "p" * length

    registered = client.post("/api/register", json=_credentials(username, password))

    assert registered.status_code == 200, registered.text
    assert client.post("/api/login", json=_credentials(username, password)).status_code == 200


def test_register_concurrent_same_username_exactly_one_wins(base_url: str) -> None:
    username = new_username("race")
    passwords = [f"password-{i:02d}-{new_username()}" for i in range(10)]
    barrier = threading.Barrier(len(passwords))
    responses: dict[str, httpx.Response] = {}

    def attempt(password: str) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            barrier.wait()
            responses[password] = http.post("/api/register", json=_credentials(username, password))

    threads = [threading.Thread(target=attempt, args=(p,)) for p in passwords]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(r.status_code for r in responses.values())
    assert statuses == [200] + [400] * 9
    losers = [r for r in responses.values() if r.status_code == 400]
    assert all(r.json()["errorId"] == 1 for r in losers)
    (winner,) = [p for p, r in responses.items() if r.status_code == 200]
    with httpx.Client(base_url=base_url, timeout=30) as http:
        assert http.post("/api/login", json=_credentials(username, winner)).status_code == 200
        loser = next(p for p in passwords if p != winner)
        wrong = http.post("/api/login", json=_credentials(username, loser))
        assert wrong.status_code == 403
        assert wrong.json()["errorId"] == 3


# --- login ------------------------------------------------------------------------------------


def test_login_returns_a_second_working_token(client: httpx.Client) -> None:
    username, first = register(client)

    response = client.post("/api/login", json=_credentials(username))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "success",
        "accessToken": body["accessToken"],
        "username": username,
        "message": "logged in with password",
    }
    assert body["accessToken"] != first
    assert _get_files(client, body["accessToken"]).status_code == 200
    assert _get_files(client, first).status_code == 200


def test_login_with_other_case_returns_registered_name(client: httpx.Client) -> None:
    username = "MixedCase-" + new_username()
    register(client, username)

    response = client.post("/api/login", json=_credentials(username.upper()))

    assert response.status_code == 200
    assert response.json()["username"] == username
    assert _get_files(client, response.json()["accessToken"]).json()["username"] == username


def test_login_wrong_password_is_403_errorid_3(client: httpx.Client) -> None:
    username, _ = register(client)

    response = client.post("/api/login", json=_credentials(username, PASSWORD + "!"))

    assert response.status_code == 403
    assert response.json() == {"status": "error", "message": "Wrong password", "errorId": 3}


def test_login_unknown_user_is_404_errorid_4(client: httpx.Client) -> None:
    response = client.post("/api/login", json=_credentials(new_username("ghost")))

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "User not found", "errorId": 4}


def test_login_token_expires_after_access_ttl_but_bot_token_does_not(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    username, _ = register(client)
    settings_env["ACCESS_TOKEN_TTL_SECONDS"] = "1"
    settings_env["BOT_TOKEN_TTL_SECONDS"] = "3600"
    token = login(client, username)
    bot = login(client, username, params={"bot": "true"})

    time.sleep(2)

    assert_auth_error(_get_files(client, token), -3)
    assert _get_files(client, bot).status_code == 200


@pytest.mark.parametrize("path", ["/api/login", "/api/register"])
def test_bot_token_lives_bot_ttl(
    client: httpx.Client, settings_env: dict[str, str], path: str
) -> None:
    settings_env["BOT_TOKEN_TTL_SECONDS"] = "7200"
    username = new_username("bot")
    if path == "/api/login":
        register(client, username)

    response = client.post(path, json=_credentials(username), params={"bot": "true"})

    assert response.status_code == 200
    claims = claims_of(response.json()["accessToken"])
    assert claims["bot"] is True
    assert claims["exp"] - claims["iat"] == 7200
    assert _get_files(client, response.json()["accessToken"]).status_code == 200


@pytest.mark.parametrize(
    ("flag", "bot"), [("on", True), ("YES", True), ("1", True), ("off", False), ("nope", False)]
)
def test_bot_flag_is_read_like_every_other_flag(
    client: httpx.Client, settings_env: dict[str, str], flag: str, bot: bool
) -> None:
    settings_env["BOT_TOKEN_TTL_SECONDS"] = "7200"
    settings_env["ACCESS_TOKEN_TTL_SECONDS"] = "600"

    response = client.post(
        "/api/register", json=_credentials(new_username("flag")), params={"bot": flag}
    )

    assert response.status_code == 200
    claims = claims_of(response.json()["accessToken"])
    assert claims["bot"] is bot
    assert claims["exp"] - claims["iat"] == (7200 if bot else 600)


# --- section 1.1 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_protected_endpoint_without_header_is_401_errorid_minus_1(
    client: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = client.request(method, path, json=body)

    assert_auth_error(response, -1)


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_protected_endpoint_with_unknown_token_is_401_errorid_minus_5(
    client: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    _, token = register(client)
    assert client.post("/api/logout", headers=auth(token)).status_code == 200

    response = client.request(method, path, json=body, headers=auth(token))

    assert_auth_error(response, -5)


@pytest.mark.parametrize(
    "header", ["Token abc", "Bearer", "abc", "Bearer a b", "Basic dXNlcjpwYXNz"]
)
def test_malformed_authorization_is_401_errorid_minus_2(client: httpx.Client, header: str) -> None:
    response = client.get("/api/get_files/private", headers={"Authorization": header})

    assert_auth_error(response, -2)


def test_bearer_scheme_is_case_insensitive(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.get("/api/get_files/private", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 200


def test_token_with_past_expiry_is_401_errorid_minus_3(client: httpx.Client) -> None:
    _, token = register(client)
    past = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())
    expired = forge({**claims_of(token), "iat": past - 60, "exp": past})

    assert_auth_error(_get_files(client, expired), -3)


@pytest.mark.parametrize(
    ("secret", "algorithm"),
    [("", "none"), ("another-secret-" + "y" * 40, "HS256"), (None, "HS384")],
    ids=["alg-none", "other-secret", "other-algorithm"],
)
def test_forged_token_is_401_errorid_minus_4(
    client: httpx.Client, secret: str | None, algorithm: str
) -> None:
    # The claims of a real, stored token: only the signature is wrong.
    _, token = register(client)
    forged = forge(claims_of(token), secret=secret, algorithm=algorithm)

    assert_auth_error(_get_files(client, forged), -4)
    assert _get_files(client, token).status_code == 200


def test_tampered_token_is_401_errorid_minus_4(client: httpx.Client) -> None:
    victim, _ = register(client)
    _, token = register(client)
    header, _, signature = token.split(".")
    other = forge({**claims_of(token), "sub": victim}).split(".")[1]

    assert_auth_error(_get_files(client, f"{header}.{other}.{signature}"), -4)


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_garbage_token_is_401_errorid_minus_4(client: httpx.Client, token: str) -> None:
    assert_auth_error(_get_files(client, token), -4)


def test_signed_token_never_issued_is_401_errorid_minus_5(client: httpx.Client) -> None:
    _, token = register(client)
    never_stored = forge({**claims_of(token), "jti": "never-issued-" + new_username()})

    assert_auth_error(_get_files(client, never_stored), -5)


def test_token_renamed_to_another_user_is_not_accepted(client: httpx.Client) -> None:
    victim, _ = register(client)
    _, token = register(client)
    # Someone holding the secret could do this; the stored token still names its real owner.
    impostor = forge({**claims_of(token), "sub": victim})

    response = _get_files(client, impostor)

    assert response.status_code == 401
    assert response.json()["auth_error"]["errorId"] in (-4, -5)


# --- refresh_token ----------------------------------------------------------------------------


def test_refresh_token_returns_new_token_and_revokes_old(client: httpx.Client) -> None:
    username, old = register(client)

    response = client.post("/api/refresh_token", json={"accessToken": old})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    new = body["accessToken"]
    assert new != old
    listed = _get_files(client, new)
    assert listed.status_code == 200
    assert listed.json()["username"] == username
    assert_auth_error(_get_files(client, old), -5)
    assert_auth_error(client.post("/api/refresh_token", json={"accessToken": old}), -5)
    assert_auth_error(client.post("/api/logout", headers=auth(old)), -5)


def test_refresh_token_concurrently_rotates_only_once(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        _, token = register(http)
    barrier = threading.Barrier(6)
    responses: list[httpx.Response] = []

    def attempt() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            barrier.wait()
            responses.append(http.post("/api/refresh_token", json={"accessToken": token}))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.status_code for r in responses) == [200] + [401] * 5
    for response in responses:
        if response.status_code == 401:
            assert_auth_error(response, -5)


def test_refresh_token_keeps_bot_lifetime(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["BOT_TOKEN_TTL_SECONDS"] = "7200"
    _, bot = register(client, params={"bot": "true"})

    response = client.post("/api/refresh_token", json={"accessToken": bot})

    assert response.status_code == 200
    claims = claims_of(response.json()["accessToken"])
    assert claims["exp"] - claims["iat"] == 7200


@pytest.mark.parametrize(
    "payload",
    [{"json": {}}, {"json": {"token": "x"}}, {"json": {"accessToken": None}}],
    ids=["empty", "other-field", "null"],
)
def test_refresh_token_without_token_is_400_errorid_5(
    client: httpx.Client, payload: dict[str, Any]
) -> None:
    response = client.post("/api/refresh_token", **payload)

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "No access token provided",
        "errorId": 5,
    }


def test_refresh_token_invalid_is_401_errorid_minus_4(client: httpx.Client) -> None:
    response = client.post("/api/refresh_token", json={"accessToken": "not-a-jwt"})

    assert_auth_error(response, -4)


def test_refresh_token_expired_is_401_errorid_minus_3(client: httpx.Client) -> None:
    _, token = register(client)
    past = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())

    response = client.post(
        "/api/refresh_token", json={"accessToken": forge({**claims_of(token), "exp": past})}
    )

    assert_auth_error(response, -3)


# --- logout -----------------------------------------------------------------------------------


def test_logout_revokes_the_token(client: httpx.Client) -> None:
    _, token = register(client)

    response = client.post("/api/logout", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "logged out"}
    assert_auth_error(_get_files(client, token), -5)
    assert_auth_error(client.post("/api/logout", headers=auth(token)), -5)
    assert_auth_error(client.post("/api/refresh_token", json={"accessToken": token}), -5)


def test_logout_keeps_other_sessions(client: httpx.Client) -> None:
    username, first = register(client)
    second = login(client, username)

    assert client.post("/api/logout", headers=auth(first)).status_code == 200

    assert _get_files(client, second).status_code == 200
    assert files_of(client, second) == []
