"""Account and group factories: each test registers its own users and creates its own groups."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import jwt

PASSWORD = "correct horse battery staple"

AUTH_MESSAGES = {
    -1: "No Authorization header provided",
    -2: "Authorization header must have Bearer <token> format",
    -3: "Access token expired",
    -4: "Invalid access token",
    -5: "Token not found",
}


def new_username(prefix: str = "user") -> str:
    """A username no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(
    client: httpx.Client,
    username: str | None = None,
    password: str = PASSWORD,
    *,
    params: dict[str, str] | None = None,
) -> tuple[str, str]:
    """Register a new account (asserting 200) and return (username, access token)."""
    username = username or new_username()
    response = client.post(
        "/api/register", json={"username": username, "password": password}, params=params
    )
    assert response.status_code == 200, response.text
    return username, str(response.json()["accessToken"])


def login(
    client: httpx.Client,
    username: str,
    password: str = PASSWORD,
    *,
    params: dict[str, str] | None = None,
) -> str:
    """Log in (asserting 200) and return the access token."""
    response = client.post(
        "/api/login", json={"username": username, "password": password}, params=params
    )
    assert response.status_code == 200, response.text
    return str(response.json()["accessToken"])


def assert_auth_error(response: httpx.Response, error_id: int) -> None:
    """The response is the contract's section 1.1 error with this errorId."""
    assert response.status_code == 401, response.text
    assert response.json() == {
        "status": "error",
        "message": "Auth error",
        "auth_error": {"message": AUTH_MESSAGES[error_id], "errorId": error_id},
    }


def files_of(client: httpx.Client, token: str, group: str | int = "private") -> list[str]:
    """The file_urls GET /api/get_files/{group} lists for this token, in the order listed."""
    response = client.get(f"/api/get_files/{group}", headers=auth(token))
    assert response.status_code == 200, response.text
    return [entry["file_url"] for entry in response.json()["data"]]


def create_group(client: httpx.Client, token: str, name: str | None = None) -> int:
    """Create a group (asserting 200) and return its numeric id."""
    response = client.post(
        "/api/create_group", json={"group_name": name or new_username("group")}, headers=auth(token)
    )
    assert response.status_code == 200, response.text
    group_id = response.json()["group_id"]
    assert isinstance(group_id, int)
    return group_id


def invite_code(client: httpx.Client, token: str, group_id: int) -> str:
    """Generate an invite (asserting 200) and return its code, the link's last path segment."""
    response = client.get(f"/api/generate_invite/{group_id}", headers=auth(token))
    assert response.status_code == 200, response.text
    return str(response.json()["invite_link"]).rstrip("/").rsplit("/", 1)[-1]


def join(client: httpx.Client, token: str, code: str) -> None:
    response = client.post(f"/api/join/{code}", headers=auth(token))
    assert response.status_code == 200, response.text


def group_with_member(client: httpx.Client) -> tuple[str, str, int]:
    """A fresh group whose owner invited a fresh member: (owner token, member token, group id)."""
    _, owner = register(client, new_username("owner"))
    _, member = register(client, new_username("member"))
    group_id = create_group(client, owner)
    join(client, member, invite_code(client, owner, group_id))
    return owner, member, group_id


def group_ids(client: httpx.Client, token: str) -> set[int]:
    response = client.get("/api/get_groups", headers=auth(token))
    assert response.status_code == 200, response.text
    return {group["group_id"] for group in response.json()["groups"]}


def claims_of(token: str) -> dict[str, Any]:
    """A token's claims, read without verifying it (as any holder of the token can)."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def forge(claims: dict[str, Any], *, secret: str | None = None, algorithm: str = "HS256") -> str:
    """Sign claims; with the test session's JWT_SECRET unless another secret is given."""
    key = os.environ["JWT_SECRET"] if secret is None else secret
    return jwt.encode(claims, key, algorithm=algorithm)
