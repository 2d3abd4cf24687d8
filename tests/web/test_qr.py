"""GET /api/qr/{file_url}: a QR code that decodes back to the file's full link."""

from __future__ import annotations

import io
import time

import httpx
import pytest
from PIL import Image

from tests.utils.files import upload
from tests.utils.qr import decode_png, decode_svg


def test_upload_response_links_its_qr_code(client: httpx.Client, base_url: str) -> None:
    posted = upload(client)
    put = client.put("/api/upload/private/raw.txt", content=b"raw")

    assert posted["qr_url"] == f"{base_url}/api/qr/{posted['file_url']}"
    assert put.status_code == 200
    assert put.json()["qr_url"] == f"{base_url}/api/qr/{put.json()['file_url']}"


def test_get_qr_default_is_svg_that_decodes_to_the_link(client: httpx.Client) -> None:
    uploaded = upload(client)

    response = client.get(uploaded["qr_url"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert b"<script" not in response.content
    assert decode_svg(response.content) == [uploaded["file_url_full"]]


def test_get_qr_png_decodes_to_the_link(client: httpx.Client) -> None:
    uploaded = upload(client, params={"include_ext": "true"})

    response = client.get(uploaded["qr_url"], params={"format": "png"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_png(response.content) == [uploaded["file_url_full"]]


def test_get_qr_scale_sets_pixels_per_module(client: httpx.Client) -> None:
    uploaded = upload(client)

    small = client.get(uploaded["qr_url"], params={"format": "png", "scale": "2"})
    large = client.get(uploaded["qr_url"], params={"format": "png", "scale": "8"})
    svg = client.get(uploaded["qr_url"], params={"scale": "8"})

    small_width, _ = Image.open(io.BytesIO(small.content)).size
    large_size = Image.open(io.BytesIO(large.content)).size
    assert large_size == (small_width * 4, small_width * 4)
    assert f'width="{large_size[0]}"'.encode() in svg.content
    assert decode_png(large.content) == [uploaded["file_url_full"]]
    assert decode_svg(svg.content) == [uploaded["file_url_full"]]


def test_get_qr_follows_public_base_url(client: httpx.Client, settings_env: dict[str, str]) -> None:
    settings_env["PUBLIC_BASE_URL"] = "https://share.example.org"
    uploaded = upload(client)

    response = client.get(f"/api/qr/{uploaded['file_url']}", params={"format": "png"})

    assert uploaded["qr_url"] == f"https://share.example.org/api/qr/{uploaded['file_url']}"
    assert decode_png(response.content) == [
        f"https://share.example.org/file/{uploaded['file_url']}"
    ]


@pytest.mark.parametrize("file_url", ["AAAAAAAAAAAAAAAA", "not-an-id", "AAAAAAAAAAAAAAAA.png"])
def test_get_qr_unknown_file_is_404(client: httpx.Client, file_url: str) -> None:
    response = client.get(f"/api/qr/{file_url}")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "File not found"}


def test_get_qr_deleted_or_expired_file_is_404(client: httpx.Client) -> None:
    deleted = upload(client)
    expiring = upload(client, params={"expires_in": "1"})
    client.get(f"/api/delete/{deleted['file_url']}", params={"key": deleted["key"]})
    time.sleep(2.1)  # expiry is a whole second, at least expires_in away

    for uploaded in (deleted, expiring):
        response = client.get(uploaded["qr_url"])

        assert response.status_code == 404
        assert response.json() == {"status": "error", "message": "File not found"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "gif"}, "format must be svg or png"),
        ({"scale": "0"}, "scale must be a whole number from 1 to 40"),
        ({"scale": "41"}, "scale must be a whole number from 1 to 40"),
        ({"scale": "2.5"}, "scale must be a whole number from 1 to 40"),
    ],
)
def test_get_qr_invalid_option_is_400(
    client: httpx.Client, params: dict[str, str], message: str
) -> None:
    uploaded = upload(client)

    response = client.get(uploaded["qr_url"], params=params)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": message}


def test_get_qr_never_counts_a_download(client: httpx.Client) -> None:
    uploaded = upload(client, params={"max_downloads": "1"})

    client.get(uploaded["qr_url"])

    assert client.get(f"/api/metadata/{uploaded['file_url']}").json()["download_count"] == 0
    assert client.get(f"/file/{uploaded['file_url']}").status_code == 200
