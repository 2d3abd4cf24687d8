"""The share-link page: browsers get a page for limited files; only its POST downloads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.utils.files import upload

BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
HTML = {"Accept": BROWSER_ACCEPT}


def _counts(client: httpx.Client, file_url: str) -> tuple[int, int | None]:
    meta: dict[str, Any] = client.get(f"/api/metadata/{file_url}").json()
    return meta["download_count"], meta["downloads_left"]


@pytest.mark.parametrize("prefix", ["file", "f"])
def test_browser_gets_a_page_that_does_not_count(client: httpx.Client, prefix: str) -> None:
    body = upload(client, b"abc", filename="<b>plan & 'x'.txt", params={"max_downloads": "2"})

    response = client.get(f"/{prefix}/{body['file_url']}", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "&lt;b&gt;plan &amp; &#x27;x&#x27;.txt" in response.text
    assert "<b>plan" not in response.text
    assert '<form method="post">' in response.text
    assert '<dd id="file-left">2</dd>' in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none';")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["vary"] == "Accept"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert _counts(client, body["file_url"]) == (0, 2)


@pytest.mark.parametrize("headers", [{}, {"Accept": "*/*"}, {"Accept": "application/json"}])
def test_api_clients_still_get_the_bytes(client: httpx.Client, headers: dict[str, str]) -> None:
    body = upload(client, b"abc", filename="plan.txt", params={"max_downloads": "2"})

    response = client.get(f"/file/{body['file_url']}", headers=headers)

    assert response.status_code == 200
    assert response.content == b"abc"
    assert response.headers["vary"] == "Accept"
    assert _counts(client, body["file_url"]) == (1, 1)


def test_page_button_posts_and_downloads_as_attachment(client: httpx.Client) -> None:
    body = upload(client, b"abc", filename="plan.txt", params={"max_downloads": "2"})

    response = client.post(f"/file/{body['file_url']}", headers=HTML)

    assert response.status_code == 200
    assert response.content == b"abc"
    assert response.headers["content-disposition"].startswith('attachment; filename="plan.txt"')
    assert _counts(client, body["file_url"]) == (1, 1)


def test_one_time_link_is_consumed_only_by_the_post(client: httpx.Client) -> None:
    body = upload(client, b"secret", filename="s.txt", params={"max_downloads": "1"})
    link = f"/file/{body['file_url']}"

    for _ in range(3):
        assert client.get(link, headers=HTML).status_code == 200
    assert client.head(link, headers=HTML).status_code == 200
    assert _counts(client, body["file_url"]) == (0, 1)
    assert client.post(link).content == b"secret"

    gone = client.get(link, headers=HTML)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("text/html")  # a page a person can read
    assert "File not found" in gone.text


def test_browser_gets_unlimited_files_directly(client: httpx.Client) -> None:
    body = upload(client, b"hello", filename="hello.txt")

    response = client.get(f"/file/{body['file_url']}", headers=HTML)

    assert response.status_code == 200
    assert response.content == b"hello"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_head_of_a_limited_file_describes_the_file_not_the_page(client: httpx.Client) -> None:
    body = upload(client, b"abc", filename="plan.txt", params={"max_downloads": "1"})

    response = client.head(f"/file/{body['file_url']}", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-length"] == "3"
