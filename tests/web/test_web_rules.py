"""The web page's pure rules: the Blob origin in the CSP, the download page's words and escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.config import Settings
from shared.files.records import FileRecord
from shared.sizes import human_size
from shared.web.download_page import human_remaining, render
from shared.web.page_security import app_page_headers, blob_origin
from tests.utils.server import ROOT

SECRET = "s" * 32
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        (
            {
                "STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=http;AccountName=a;"
                "AccountKey=k==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
            },
            "http://127.0.0.1:10000",
        ),
        ({"STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}, "http://127.0.0.1:10000"),
        (
            {
                "STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountName=acct;"
                "AccountKey=k==;EndpointSuffix=core.chinacloudapi.cn"
            },
            "https://acct.blob.core.chinacloudapi.cn",
        ),
        (
            {
                "STORAGE_BLOB_ENDPOINT": "https://Acct.blob.core.windows.net/",
                "STORAGE_TABLE_ENDPOINT": "https://acct.table.core.windows.net/",
                "STORAGE_QUEUE_ENDPOINT": "https://acct.queue.core.windows.net/",
            },
            "https://acct.blob.core.windows.net",
        ),
    ],
)
def test_blob_origin_comes_from_the_storage_settings(env: dict[str, str], origin: str) -> None:
    settings = Settings.from_env({**env, "JWT_SECRET": SECRET})

    assert blob_origin(settings) == origin
    assert f"connect-src 'self' {origin};" in app_page_headers(settings)["Content-Security-Policy"]


def test_page_csp_allows_only_this_origin_without_a_blob_endpoint() -> None:
    settings = Settings.from_env(
        {"STORAGE_CONNECTION_STRING": "AccountName=;AccountKey=k", "JWT_SECRET": SECRET}
    )

    assert blob_origin(settings) is None
    assert "connect-src 'self';" in app_page_headers(settings)["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1KB"),
        (2500, "2.4KB"),
        (1024**2 - 1, "1.0MB"),
        (9 * 1024**2, "9MB"),
        (100 * 1024**2, "100MB"),
        (2 * 1024**3, "2GB"),
        (10**13, "9.1TB"),
    ],
)
def test_human_size_uses_the_contracts_binary_units(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "in less than a minute"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(hours=5, minutes=59), "in 5 hours"),
        (timedelta(days=2), "in 2 days"),
    ],
)
def test_human_remaining_rounds_down_to_the_largest_unit(delta: timedelta, text: str) -> None:
    assert human_remaining(NOW + delta, NOW) == text


def _record(name: str, max_downloads: int | None, count: int = 0) -> FileRecord:
    return FileRecord(
        file_url="AAAAAAAAAAAAAAAA",
        key="k",
        user_filename=name,
        ext="",
        content_type="text/plain",
        size=1234,
        created_at=NOW,
        expires_at=NOW + timedelta(hours=3),
        max_downloads=max_downloads,
        download_count=count,
        blob_etag='"e"',
    )


def test_download_page_escapes_the_file_name() -> None:
    page = render(_record("<img src=x onerror=alert(1)>\"'&.txt", 1), NOW).decode()

    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;&#x27;&amp;.txt" in page


@pytest.mark.parametrize(
    ("max_downloads", "count", "left", "notice"),
    [
        (1, 0, "1", "This link works once: downloading the file deletes it."),
        (5, 2, "3", "This link works 3 more times, then the file is deleted."),
    ],
)
def test_download_page_states_the_downloads_left(
    max_downloads: int, count: int, left: str, notice: str
) -> None:
    page = render(_record("a.txt", max_downloads, count), NOW).decode()

    assert f'<dd id="file-left">{left}</dd>' in page
    assert notice in page
    assert "1.2KB" in page
    assert "2026-05-01 15:00 UTC (in 3 hours)" in page


def test_the_web_folder_is_deployed_and_the_browser_tests_are_not() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".funcignore").read_text().splitlines()
        if line.strip()
    }

    assert "web" not in ignored
    assert "tests" in ignored
    assert {"index.html", "app.js", "app.css", "download.html"} <= {
        path.name for path in (ROOT / "web").iterdir()
    }


def test_page_csp_allows_qr_codes_from_the_public_base_url() -> None:
    settings = Settings.from_env(
        {
            "STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true",
            "JWT_SECRET": SECRET,
            "PUBLIC_BASE_URL": "https://files.example/share",
        }
    )

    policy = app_page_headers(settings)["Content-Security-Policy"]

    assert "img-src 'self' https://files.example data: blob:;" in policy
