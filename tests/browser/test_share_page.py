"""Shares in headless Chromium: the "One link" tab uploads many files into one share with a
progress bar each; the share's page lists them, previews safe images and downloads all as a ZIP."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.utils.browser import choose_files, screenshot
from tests.utils.shares import create_share, manifest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    NewContext = Callable[..., BrowserContext]

pytestmark = pytest.mark.browser

MIB = 1024 * 1024
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a3e5b1bd0000000049454e44ae426082"
)


def test_one_link_tab_uploads_many_files_into_one_share(
    page: Page, client: httpx.Client, base_url: str, tmp_path: Path
) -> None:
    small = tmp_path / "notes.txt"
    small.write_bytes(b"some notes\n")
    large = tmp_path / "video.bin"
    large_content = os.urandom(33 * MIB + 5)  # beyond the API's share: straight to storage
    large.write_bytes(large_content)
    page.goto("/")
    page.click("#tab-bundle")
    page.fill("#bundle-title", "Trip")

    choose_files(page, "#bundle-input", small, large)
    page.wait_for_selector("#bundle-files .upload:nth-child(2)[data-state=done]", timeout=60_000)

    assert page.locator("#bundle-files .upload[data-state=done]").count() == 2
    assert page.evaluate(
        "[...document.querySelectorAll('#bundle-files progress')].every((p) => p.value === 1)"
    )
    link = page.get_attribute("#bundle-link", "href") or ""
    assert link.startswith(f"{base_url}/s/")
    qr = page.wait_for_selector("#bundle-qr")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr)
    screenshot(page, "20-share-many-files")
    listed = manifest(client, link.rsplit("/", 1)[-1]).json()
    assert listed["title"] == "Trip"
    assert [f["user_filename"] for f in listed["files"]] == ["notes.txt", "video.bin"]
    archive = client.get(f"{link}/zip")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert opened.testzip() is None
        assert opened.read("video.bin") == large_content


def test_share_page_lists_files_previews_images_and_downloads_all(
    page: Page, client: httpx.Client
) -> None:
    share = create_share(
        client, {"cat.png": PNG, "notes <1>.txt": b"hello\n", "logo.svg": b"<svg/>"}
    )

    page.goto(share["share_url"])

    names = page.locator(".share-file .name").all_inner_texts()
    assert names == ["cat.png", "notes <1>.txt", "logo.svg"]
    thumbs = page.locator(".share-file img.thumb")
    assert thumbs.count() == 1  # the PNG only: never SVG
    page.wait_for_function("() => document.querySelector('img.thumb').naturalWidth > 0")
    screenshot(page, "21-share-page")
    with page.expect_download() as download_info:
        page.click("#download-all")
    archive = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.read("notes <1>.txt") == b"hello\n"
    with page.expect_download() as one:
        page.click(".share-file a.name >> nth=1")
    assert Path(one.value.path()).read_bytes() == b"hello\n"
    # The page and the thumbnail counted nothing; the ZIP counted once.
    assert manifest(client, share["share_id"]).json()["download_count"] == 1
    png = share["files"][0]["file_url"]
    assert client.get(f"/api/metadata/{png}").json()["download_count"] == 0


def test_limited_share_page_offers_only_the_zip(page: Page, client: httpx.Client) -> None:
    share = create_share(client, {"cat.png": PNG, "a.txt": b"a"}, data={"max_downloads": "1"})

    page.goto(share["share_url"])

    assert page.locator(".share-file a").count() == 0
    assert page.locator("img.thumb").count() == 0
    assert "downloading the ZIP deletes the share" in page.inner_text("#share-notice")
    assert manifest(client, share["share_id"]).json()["downloads_left"] == 1


def test_locked_share_asks_for_the_password_once(page: Page, client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"locked\n"}, data={"password": "pw-1234"})

    page.goto(f"{share['share_url']}/zip")  # a direct link to the ZIP: the page asks first
    page.fill("input[type=password]", "pw-1234")
    page.click("button[type=submit]")

    page.wait_for_selector(".share-file")
    assert page.locator(".share-file .name").all_inner_texts() == ["a.txt"]
