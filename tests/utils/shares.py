"""Share factories: each test makes its own shares."""

from __future__ import annotations

from typing import Any

import httpx


def create_share(
    client: httpx.Client,
    files: dict[str, bytes],
    *,
    params: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST /api/shares with one `file` part per entry; the JSON answer (asserting 200)."""
    response = client.post(
        "/api/shares",
        files=[("file", (name, content)) for name, content in files.items()],
        params=params,
        data=data,
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def add_files(
    client: httpx.Client, share: dict[str, Any], files: dict[str, bytes]
) -> httpx.Response:
    return client.post(
        f"/api/shares/{share['share_id']}/files",
        params={"key": share["key"]},
        files=[("file", (name, content)) for name, content in files.items()],
    )


def manifest(client: httpx.Client, share_id: str) -> httpx.Response:
    return client.get(f"/s/{share_id}", headers={"Accept": "application/json"})
