"""Upload factories: each test makes its own files, so none depends on another's."""

from __future__ import annotations

import os
from typing import Any

import httpx


def upload(
    client: httpx.Client,
    content: bytes = b"hello world\n",
    *,
    filename: str = "hello.txt",
    group: str = "private",
    params: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Upload through the contract's multipart endpoint and return the JSON body (asserting 200)."""
    response = client.post(
        f"/api/upload/{group}",
        files={"file": (filename, content)},
        params=params,
        data=data,
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def run_cleanup(client: httpx.Client) -> None:
    """Run the `cleanup` timer once through the host's admin endpoint, as `func start` offers."""
    response = client.post("/admin/functions/cleanup", json={"input": ""})
    assert response.status_code == 202, response.text
