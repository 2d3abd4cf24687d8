"""Links with a password in headless Chromium: set on the upload form, unlocked on the password
page (no browser dialog), then downloaded; the page never stores the password."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.utils.browser import choose_files, screenshot
from tests.utils.files import upload

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    NewContext = Callable[..., BrowserContext]

pytestmark = pytest.mark.browser

SECRET = "open sesame, 42 times"


def test_password_set_on_the_page_unlocks_a_one_time_download(
    page: Page, new_context: NewContext, client: httpx.Client, tmp_path: Path
) -> None:
    content = os.urandom(4096)
    path = tmp_path / "vault.bin"
    path.write_bytes(content)
    page.goto("/")
    page.check("#one-time")
    page.fill("#link-password", SECRET)
    choose_files(page, "#file-input", path)
    page.wait_for_selector(".upload[data-state=done]")
    link = page.input_value(".upload .link")
    file_url = link.rsplit("/", 1)[-1]
    assert "password protected" in page.inner_text(".upload .result")
    assert SECRET not in page.evaluate("JSON.stringify(Object.assign({}, localStorage))")

    viewer = new_context().new_page()
    dialogs: list[str] = []
    viewer.on("dialog", lambda dialog: dialogs.append(dialog.message))
    answer = viewer.goto(link)
    assert answer is not None
    assert answer.status == 401
    assert "vault" not in viewer.content()
    screenshot(viewer, "20-password-page")
    viewer.fill("#password-input", "not the password")
    viewer.click("#unlock-button")
    assert "Wrong password" in viewer.inner_text("#message-text")
    viewer.fill("#password-input", SECRET)
    viewer.click("#unlock-button")
    viewer.wait_for_selector("#download-button")
    assert viewer.inner_text("#file-name") == "vault.bin"
    assert viewer.inner_text("#file-left") == "1"
    meta = client.get(f"/api/metadata/{file_url}", auth=("", SECRET)).json()
    assert meta["download_count"] == 0

    with viewer.expect_download() as download_info:
        viewer.click("#download-button")
    assert Path(download_info.value.path()).read_bytes() == content
    assert client.get(f"/api/metadata/{file_url}").status_code == 404
    assert dialogs == []


def test_unlocked_unlimited_file_opens_in_the_browser(page: Page, client: httpx.Client) -> None:
    body = upload(client, b"plain secret text\n", filename="note.txt", data={"password": SECRET})

    page.goto(body["file_url_full"])
    page.fill("#password-input", SECRET)
    page.click("#unlock-button")
    page.wait_for_load_state()

    assert page.url == body["file_url_full"]
    assert page.inner_text("body").strip() == "plain secret text"
    cookies = page.context.cookies()
    assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
        ("fileshare_unlock", True, "Strict")
    ]
