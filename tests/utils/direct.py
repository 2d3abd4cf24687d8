"""Direct-upload factories: authorise over HTTP, then put blocks straight to Azurite by SAS."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from azure.storage.blob import BlobBlock, BlobClient, ContentSettings


def begin(
    client: httpx.Client,
    size: int,
    *,
    filename: str = "data.bin",
    headers: dict[str, str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """POST /api/uploads (asserting 200) and return the JSON body."""
    response = client.post(
        "/api/uploads", json={"filename": filename, "size": size, **options}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def block_id(index: int) -> str:
    """The block naming the CLI uses: fixed width, as storage requires within one blob."""
    return f"{index:08d}"


def stage(upload_url: str, content: bytes, block_size: int, indices: list[int]) -> None:
    blob = BlobClient.from_blob_url(upload_url)
    for index in indices:
        data = content[index * block_size : (index + 1) * block_size]
        blob.stage_block(block_id(index), data, length=len(data))


def commit(upload_url: str, count: int, *, content_type: str | None = None) -> None:
    settings = ContentSettings(content_type=content_type) if content_type else None
    BlobClient.from_blob_url(upload_url).commit_block_list(
        [BlobBlock(block_id(i)) for i in range(count)], content_settings=settings
    )


def put_all(grant: dict[str, Any], content: bytes) -> None:
    """Stage every block of `content` and commit them, as a client does."""
    block_size = grant["block_size"]
    count = -(-len(content) // block_size)
    stage(grant["upload_url"], content, block_size, list(range(count)))
    commit(grant["upload_url"], count)


def complete(client: httpx.Client, grant: dict[str, Any]) -> httpx.Response:
    return client.post(f"/api/uploads/{grant['file_url']}/complete", params={"key": grant["key"]})


def direct_upload(
    client: httpx.Client, content: bytes, *, filename: str = "data.bin", **options: Any
) -> dict[str, Any]:
    """The whole direct upload; returns the completion's JSON body (asserting 200)."""
    grant = begin(client, len(content), filename=filename, **options)
    put_all(grant, content)
    response = complete(client, grant)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sas_params(url: str) -> dict[str, str]:
    """A SAS URL's query parameters, one value each."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
