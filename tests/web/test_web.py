"""The web page over HTTP: GET /, invite links, /static/{name} with ETags, and its headers."""

from __future__ import annotations

import httpx
import pytest

from devhost.azurite import AzuritePorts


def test_root_serves_the_page_with_a_strict_policy(
    client: httpx.Client, azurite_ports: AzuritePorts
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>fileshare</title>" in response.text
    assert '<script src="/static/app.js" defer></script>' in response.text
    assert response.headers["content-security-policy"] == (
        f"default-src 'self'; connect-src 'self' http://127.0.0.1:{azurite_ports.blob}; "
        "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-cache"


def test_root_answers_304_to_its_own_etag(client: httpx.Client) -> None:
    etag = client.get("/").headers["etag"]

    response = client.get("/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_invite_link_opens_the_page(client: httpx.Client) -> None:
    response = client.get("/invite/AbCdEfGh12345678")

    assert response.status_code == 200
    assert response.text == client.get("/").text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ],
)
def test_static_asset_is_served_with_a_strong_etag(
    client: httpx.Client, name: str, content_type: str
) -> None:
    response = client.get(f"/static/{name}")

    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["etag"].startswith('"')
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content


def test_static_app_js_answers_304_to_its_own_etag(client: httpx.Client) -> None:
    etag = client.get("/static/app.js").headers["etag"]

    response = client.get("/static/app.js", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_static_asset_is_sent_again_for_another_etag(client: httpx.Client) -> None:
    response = client.get("/static/app.js", headers={"If-None-Match": '"stale"'})

    assert response.status_code == 200
    assert b"DIRECT_THRESHOLD" in response.content


@pytest.mark.parametrize("name", ["index.html", "download.html", "APP.JS", "app.py", "%2E%2E"])
def test_static_serves_nothing_off_its_allow_list(client: httpx.Client, name: str) -> None:
    response = client.get(f"/static/{name}")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Not found"}


@pytest.mark.parametrize("path", ["/static/..%2Fshared%2Fconfig.py", "/static/%2e%2e/host.json"])
def test_static_never_leaves_the_web_folder(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert b"JWT_SECRET" not in response.content
    assert b"routePrefix" not in response.content


def test_head_of_root_sends_headers_only(client: httpx.Client) -> None:
    page = client.get("/")

    response = client.head("/")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"] == page.headers["etag"]
    assert response.headers["content-length"] == str(len(page.content))
