"""The few API calls the benchmark makes, over one keep-alive httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from bench.payload import Verifier


class ApiError(RuntimeError):
    """The API answered something other than what the benchmark needs."""


@dataclass(frozen=True)
class Uploaded:
    file_url: str
    key: str
    size: int


def client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(600, connect=10))


async def upload(
    http: httpx.AsyncClient,
    name: str,
    body: bytes | AsyncIterator[bytes],
    size: int,
    *,
    token: str | None = None,
) -> Uploaded:
    """Raw `PUT /api/upload/private/{name}`; a declared length, so the body is not chunked."""
    headers = {"Content-Length": str(size), "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = await http.put(f"/api/upload/private/{name}", content=body, headers=headers)
    if response.status_code != 200:
        raise ApiError(f"upload answered {response.status_code}: {response.text[:200]}")
    document = response.json()
    if document.get("size") != size:
        raise ApiError(f"upload stored {document.get('size')} bytes, sent {size}")
    return Uploaded(str(document["file_url"]), str(document["key"]), size)


async def download(http: httpx.AsyncClient, file_url: str) -> Verifier:
    """`GET /file/{file_url}`, checking every byte as it streams in."""
    verifier = Verifier()
    async with http.stream("GET", f"/file/{file_url}") as response:
        if response.status_code != 200:
            await response.aread()
            raise ApiError(f"download answered {response.status_code}: {response.text[:200]}")
        async for chunk in response.aiter_raw():
            verifier.write(chunk)
    return verifier


async def delete(http: httpx.AsyncClient, uploaded: Uploaded) -> None:
    response = await http.get(f"/api/delete/{uploaded.file_url}", params={"key": uploaded.key})
    if response.status_code != 200:
        raise ApiError(f"delete answered {response.status_code}: {response.text[:200]}")


async def run_cleanup(http: httpx.AsyncClient) -> None:
    """Run the `cleanup` timer once; the devhost answers when the run has finished."""
    response = await http.post("/admin/functions/cleanup")
    if response.status_code != 202:
        raise ApiError(f"cleanup answered {response.status_code}: {response.text[:200]}")


async def register(http: httpx.AsyncClient, username: str) -> str:
    """A new account's token."""
    response = await http.post(
        "/api/register", json={"username": username, "password": "bench password 1"}
    )
    if response.status_code != 200:
        raise ApiError(f"register answered {response.status_code}: {response.text[:200]}")
    return str(response.json()["accessToken"])


async def add_webhook(http: httpx.AsyncClient, token: str, url: str) -> None:
    response = await http.post(
        "/api/webhooks", json={"url": url}, headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code != 200:
        raise ApiError(f"webhook answered {response.status_code}: {response.text[:200]}")
