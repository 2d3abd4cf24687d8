"""GET|HEAD /file/{file_url} and /f/{file_url}: headers, ranges, conditionals, counted downloads."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.utils.files import upload
from tests.utils.storage import StorageProbe


def test_download_streams_bytes_with_headers(client: httpx.Client) -> None:
    body = upload(client, b"plain words\n", filename="words.txt")

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 200
    assert response.content == b"plain words\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["etag"]
    assert response.headers["accept-ranges"] == "bytes"


def test_short_path_serves_the_same_file(client: httpx.Client) -> None:
    body = upload(client, b"short\n", filename="s.txt")

    assert client.get(f"/f/{body['file_url']}").content == b"short\n"


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("page.html", b"<script>alert(1)</script>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("data.xml", b"<a/>"),
        ("tool.js", b"alert(1)"),
        ("mystery", b"\x00\x01"),
    ],
)
def test_active_content_is_served_as_attachment(
    client: httpx.Client, filename: str, content: bytes
) -> None:
    body = upload(client, content, filename=filename)

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")


@pytest.mark.parametrize(
    ("filename", "served_type"),
    [("photo.png", "image/png"), ("paper.pdf", "application/pdf"), ("song.mp3", "audio/mpeg")],
)
def test_safe_types_render_inline(client: httpx.Client, filename: str, served_type: str) -> None:
    body = upload(client, b"bytes", filename=filename)

    response = client.get(f"/file/{body['file_url']}")

    assert response.headers["content-type"] == served_type
    assert response.headers["content-disposition"].startswith("inline;")


def test_unicode_and_quote_filenames_are_encoded_safely(client: httpx.Client) -> None:
    body = upload(client, b"x", filename='отчёт "final"\r\nX-Evil: 1.html')

    response = client.get(f"/file/{body['file_url']}")

    disposition = response.headers["content-disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert "x-evil" not in {k.lower() for k in response.headers}
    assert (
        "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%22final%22X-Evil%3A%201.html"
        in disposition
    )
    assert 'filename="_____ _final_X-Evil: 1.html"' in disposition


def test_range_request_returns_206(client: httpx.Client) -> None:
    body = upload(client, b"0123456789", filename="digits.txt")
    url = f"/file/{body['file_url']}"

    first = client.get(url, headers={"Range": "bytes=2-5"})
    suffix = client.get(url, headers={"Range": "bytes=-3"})
    open_ended = client.get(url, headers={"Range": "bytes=7-"})

    assert first.status_code == 206
    assert first.content == b"2345"
    assert first.headers["content-range"] == "bytes 2-5/10"
    assert suffix.content == b"789"
    assert open_ended.content == b"789"


def test_ranges_count_a_download_only_from_the_first_byte(client: httpx.Client) -> None:
    body = upload(client, b"0123456789", filename="seek.bin")
    url = f"/file/{body['file_url']}"

    resumed = [client.get(url, headers={"Range": r}) for r in ("bytes=2-5", "bytes=5-", "bytes=-3")]
    after_resumes = _download_count(client, body["file_url"])
    first = client.get(url, headers={"Range": "bytes=0-3"})
    after_first = _download_count(client, body["file_url"])
    whole = client.get(url)

    assert [r.status_code for r in resumed] == [206, 206, 206]
    assert after_resumes == 0
    assert first.status_code == 206
    assert after_first == 1
    assert whole.status_code == 200
    assert _download_count(client, body["file_url"]) == 2


def _download_count(client: httpx.Client, file_url: str) -> int:
    return int(client.get(f"/api/metadata/{file_url}").json()["download_count"])


def test_unsatisfiable_range_is_416(client: httpx.Client) -> None:
    body = upload(client, b"0123456789", filename="digits.txt")

    response = client.get(f"/file/{body['file_url']}", headers={"Range": "bytes=50-60"})

    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */10"
    assert response.json()["status"] == "error"


def test_if_range_with_other_etag_returns_whole_file(client: httpx.Client) -> None:
    body = upload(client, b"0123456789", filename="digits.txt")

    response = client.get(
        f"/file/{body['file_url']}", headers={"Range": "bytes=0-1", "If-Range": '"stale"'}
    )

    assert response.status_code == 200
    assert response.content == b"0123456789"


def test_if_none_match_returns_304_and_does_not_count(
    client: httpx.Client, storage: StorageProbe
) -> None:
    body = upload(client, b"cached", filename="c.txt")
    etag = client.get(f"/file/{body['file_url']}").headers["etag"]

    response = client.get(f"/file/{body['file_url']}", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    row = storage.file_row(body["file_url"])
    assert row is not None
    assert row["download_count"] == 1


def test_head_returns_headers_without_counting(client: httpx.Client) -> None:
    body = upload(client, b"once", filename="o.txt", params={"max_downloads": "1"})

    head = client.head(f"/file/{body['file_url']}")

    assert head.status_code == 200
    assert head.headers["content-length"] == "4"
    assert head.content == b""
    assert client.get(f"/file/{body['file_url']}").content == b"once"


def test_prefetch_does_not_consume_a_one_time_link(client: httpx.Client) -> None:
    body = upload(client, b"once", filename="o.txt", params={"max_downloads": "1"})

    prefetch = client.get(f"/file/{body['file_url']}", headers={"Sec-Purpose": "prefetch"})

    assert prefetch.status_code == 204
    assert prefetch.content == b""
    assert client.get(f"/file/{body['file_url']}").content == b"once"


def test_download_counts_increase(client: httpx.Client) -> None:
    body = upload(client, b"counted", filename="n.txt")

    for _ in range(3):
        client.get(f"/file/{body['file_url']}")

    assert client.get(f"/api/metadata/{body['file_url']}").json()["download_count"] == 3


def test_one_time_link_is_gone_after_first_download(
    client: httpx.Client, storage: StorageProbe
) -> None:
    body = upload(client, b"secret", filename="s.txt", params={"max_downloads": "1"})

    first = client.get(f"/file/{body['file_url']}")
    second = client.get(f"/file/{body['file_url']}")

    assert first.status_code == 200
    assert first.content == b"secret"
    assert first.headers["cache-control"] == "no-store"
    assert second.status_code == 404
    assert second.json() == {"status": "error", "message": "File not found"}
    assert not storage.blob_exists(body["file_url"])
    assert storage.file_row(body["file_url"]) is None
    assert not any(body["file_url"] in key for key in storage.expiry_rows())


def test_max_downloads_three_serves_exactly_three(client: httpx.Client) -> None:
    body = upload(client, b"thrice", filename="t.txt", params={"max_downloads": "3"})

    statuses = [client.get(f"/file/{body['file_url']}").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 404, 404]


def test_one_time_link_under_20_concurrent_downloads_serves_exactly_one(
    client: httpx.Client, base_url: str
) -> None:
    content = b"only once " * 1000
    body = upload(client, content, filename="race.bin", params={"max_downloads": "1"})

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            return await asyncio.gather(*(http.get(f"/file/{body['file_url']}") for _ in range(20)))

    responses = asyncio.run(race())

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [404] * 19
    winner = next(r for r in responses if r.status_code == 200)
    assert winner.content == content


def test_limited_file_ignores_range_and_answers_whole(client: httpx.Client) -> None:
    body = upload(client, b"0123456789", filename="d.txt", params={"max_downloads": "2"})

    response = client.get(f"/file/{body['file_url']}", headers={"Range": "bytes=0-1"})

    assert response.status_code == 200
    assert response.content == b"0123456789"
    assert "accept-ranges" not in response.headers


def test_txt_with_only_a_url_redirects(client: httpx.Client) -> None:
    body = upload(client, b"  https://example.com/some/page?q=1  \n", filename="link.txt")

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/some/page?q=1"


@pytest.mark.parametrize(
    "content",
    [
        b"see https://example.com for details",
        b"javascript:alert(1)",
        b"https://a.example\nhttps://b.example",
    ],
)
def test_txt_that_is_not_a_single_url_is_served_as_text(
    client: httpx.Client, content: bytes
) -> None:
    body = upload(client, content, filename="note.txt")

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("path", ["/file/doesnotexist0000", "/file/..%5C..%5Cetc%5Cpasswd", "/f/x"])
def test_unknown_file_is_404_in_contract_shape(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "File not found"}


def test_popular_file_serves_every_concurrent_download_and_counts_each(
    client: httpx.Client, base_url: str
) -> None:
    body = upload(client, b"popular", filename="popular.txt")

    async def crowd() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            return await asyncio.gather(
                *(http.get(f"/file/{body['file_url']}") for _ in range(120))
            )

    responses = asyncio.run(crowd())

    assert [r.status_code for r in responses] == [200] * 120
    assert client.get(f"/api/metadata/{body['file_url']}").json()["download_count"] == 120


def test_json_download_keeps_its_type_as_an_attachment(client: httpx.Client) -> None:
    body = upload(client, b'{"a": 1}', filename="data.json")

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
