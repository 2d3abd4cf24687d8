"""GET /file/{file_url}?direct=1 and large files: a 302 to a short-lived read-only SAS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobBlock, BlobClient

from tests.utils.direct import begin, block_id, direct_upload, put_all, sas_params
from tests.utils.files import random_bytes, upload
from tests.utils.settings import MIB
from tests.utils.storage import CONTAINER


def _redirect(client: httpx.Client, file_url: str, **params: str) -> str:
    response = client.get(f"/file/{file_url}", params=params)
    assert response.status_code == 302, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.headers["location"]


def _count(client: httpx.Client, file_url: str) -> int:
    return int(client.get(f"/api/metadata/{file_url}").json()["download_count"])


def test_direct_redirect_sets_inline_type_and_disposition(client: httpx.Client) -> None:
    body = upload(client, b"\x89PNG fake", filename="photo.png")

    location = _redirect(client, body["file_url"], direct="1")

    params = sas_params(location)
    assert params["sp"] == "r"
    assert params["sr"] == "b"
    assert params["rsct"] == "image/png"
    assert params["rscd"] == "inline; filename=\"photo.png\"; filename*=UTF-8''photo.png"
    assert location.split("?")[0].endswith(f"/{CONTAINER}/f/{body['file_url']}")
    expiry = datetime.strptime(params["se"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expiry - datetime.now(UTC) < timedelta(minutes=16)
    fetched = httpx.get(location)
    assert fetched.status_code == 200
    assert fetched.content == b"\x89PNG fake"
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["content-disposition"] == params["rscd"]


def test_direct_redirect_serves_active_content_as_an_attachment(client: httpx.Client) -> None:
    body = upload(client, b"<script>alert(1)</script>", filename="évil page.html")

    location = _redirect(client, body["file_url"], direct="1")

    fetched = httpx.get(location)
    assert fetched.headers["content-type"] == "application/octet-stream"
    assert fetched.headers["content-disposition"] == (
        "attachment; filename=\"_vil page.html\"; filename*=UTF-8''%C3%A9vil%20page.html"
    )


def test_direct_redirect_serves_text_as_utf8_plain_text(client: httpx.Client) -> None:
    body = upload(client, "héllo".encode(), filename="note.txt")

    fetched = httpx.get(_redirect(client, body["file_url"], direct="1"))

    assert fetched.headers["content-type"] == "text/plain; charset=utf-8"
    assert fetched.text == "héllo"


def test_direct_download_is_counted_before_redirecting(client: httpx.Client) -> None:
    body = upload(client, b"counted", filename="c.bin")

    _redirect(client, body["file_url"], direct="1")
    _redirect(client, body["file_url"], direct="true")

    assert _count(client, body["file_url"]) == 2


def test_files_within_the_upload_cap_stream_without_a_redirect(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_UPLOAD_BYTES"] = str(100 * MIB)  # the contract's cap
    content = random_bytes(33 * MIB)  # larger than the 32 MiB that used to redirect
    body = direct_upload(client, content, filename="video.bin")

    for prefix in ("file", "f"):
        response = client.get(f"/{prefix}/{body['file_url']}")

        assert response.status_code == 200
        assert "location" not in response.headers
        assert response.headers["content-length"] == str(len(content))
        assert response.content == content


def test_files_larger_than_the_upload_cap_redirect_to_storage(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_UPLOAD_BYTES"] = "1024"
    large = direct_upload(client, b"x" * 1025, filename="large.bin")
    within = direct_upload(client, b"x" * 1024, filename="within.bin")

    assert client.get(f"/file/{large['file_url']}").status_code == 302
    assert client.get(f"/f/{large['file_url']}").status_code == 302
    streamed = client.get(f"/file/{within['file_url']}")
    assert streamed.status_code == 200
    assert streamed.content == b"x" * 1024


@pytest.mark.parametrize("max_downloads", ["1", "3"])
def test_limited_files_never_redirect(client: httpx.Client, max_downloads: str) -> None:
    body = upload(client, b"once only", filename="o.bin", data={"max_downloads": max_downloads})

    response = client.get(f"/file/{body['file_url']}", params={"direct": "1"})

    assert response.status_code == 200
    assert response.content == b"once only"
    assert "location" not in response.headers


def test_one_time_direct_upload_streams_once_then_is_gone(client: httpx.Client) -> None:
    body = direct_upload(client, b"one time", filename="o.txt", max_downloads=1)

    first = client.get(f"/file/{body['file_url']}", params={"direct": "1"})
    second = client.get(f"/file/{body['file_url']}", params={"direct": "1"})

    assert (first.status_code, first.content) == (200, b"one time")
    assert second.status_code == 404


def test_head_never_redirects(client: httpx.Client) -> None:
    body = upload(client, b"headers", filename="h.bin")

    response = client.head(f"/file/{body['file_url']}", params={"direct": "1"})

    assert response.status_code == 200
    assert response.headers["content-length"] == "7"
    assert _count(client, body["file_url"]) == 0


def test_read_sas_cannot_write(client: httpx.Client) -> None:
    body = upload(client, b"read only", filename="r.bin")
    blob = BlobClient.from_blob_url(_redirect(client, body["file_url"], direct="1"))

    with pytest.raises(HttpResponseError) as refused:
        blob.upload_blob(b"overwritten", overwrite=True)

    assert refused.value.status_code == 403
    assert client.get(f"/file/{body['file_url']}").content == b"read only"


def test_blob_overwritten_after_completion_is_not_handed_out(client: httpx.Client) -> None:
    grant = begin(client, 8, filename="v.bin")
    put_all(grant, b"original")
    assert client.post(
        f"/api/uploads/{grant['file_url']}/complete", params={"key": grant["key"]}
    ).is_success
    # The upload SAS is still valid: its holder replaces the published bytes.
    writer = BlobClient.from_blob_url(grant["upload_url"])
    writer.stage_block(block_id(0), b"replaced", length=8)
    writer.commit_block_list([BlobBlock(block_id(0))])

    response = client.get(f"/file/{grant['file_url']}", params={"direct": "1"})

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "File not found"}
