"""Upload-link (reverse share) factories: each test creates its own links."""

from __future__ import annotations

from typing import Any

import httpx

from tests.utils.accounts import auth


def create_link(client: httpx.Client, token: str, **fields: Any) -> dict[str, Any]:
    """Create an upload link (asserting 200); `fields` override max_files=5, max_bytes=1 MiB."""
    body = {"max_files": 5, "max_bytes": 1024 * 1024, **fields}
    response = client.post("/api/reverse_shares", json=body, headers=auth(token))
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def send(
    client: httpx.Client,
    link_id: str,
    content: bytes = b"sent to you\n",
    *,
    filename: str = "sent.txt",
    password: str | None = None,
) -> httpx.Response:
    """Upload one file through the link, as `curl -F file=@x [-u :password]` does."""
    files = {"file": (filename, content)}
    if password is None:
        return client.post(f"/r/{link_id}", files=files)
    return client.post(f"/r/{link_id}", files=files, auth=("", password))
