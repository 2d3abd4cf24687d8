"""The upload-link page (/r/{id}) in Chromium: drop files in, see progress and the receipt, a
password link, the limits, and a revoked link's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.utils.accounts import auth, register
from tests.utils.browser import log_in, screenshot
from tests.utils.reverse import create_link, send

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, FilePayload

    NewContext = Callable[..., BrowserContext]

pytestmark = pytest.mark.browser


def _files(*names: str) -> list[FilePayload]:
    return [{"name": name, "mimeType": "text/plain", "buffer": name.encode()} for name in names]


def test_page_sends_files_to_the_owner_and_stops_at_max_files(
    new_context: NewContext, client: httpx.Client
) -> None:
    _, token = register(client)
    link = create_link(client, token, max_files=2)
    page = new_context().new_page()

    page.goto(link["upload_url"])
    page.wait_for_selector("#drop:not([hidden])")
    assert page.inner_text("#files-left") == "2"
    page.set_input_files("#file-input", _files("one.txt", "two.txt", "three.txt"))
    page.wait_for_selector(".upload:nth-child(3)[data-state='failed']")

    states = page.eval_on_selector_all(".upload", "items => items.map(i => i.dataset.state)")
    assert states == ["done", "done", "failed"]
    assert "accepts no more files" in page.inner_text(".upload:nth-child(3)")
    screenshot(page, "14-upload-link")
    assert page.inner_text("#files-left") == "0"
    listed = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert sorted(entry["user_filename"] for entry in listed) == ["one.txt", "two.txt"]
    assert all(entry["file_url"] not in page.content() for entry in listed)


def test_page_asks_for_the_password_and_sends_it(
    new_context: NewContext, client: httpx.Client
) -> None:
    _, token = register(client)
    link = create_link(client, token, password="hunter2 hunter2")
    page = new_context().new_page()

    page.goto(link["upload_url"])
    page.wait_for_selector("#password-form:not([hidden])")
    page.fill("#password", "wrong")
    page.set_input_files("#file-input", _files("a.txt"))
    page.wait_for_selector(".upload[data-state='failed']")
    assert "Wrong password" in page.inner_text(".upload")
    page.fill("#password", "hunter2 hunter2")
    page.set_input_files("#file-input", _files("b.txt"))
    page.wait_for_selector(".upload:nth-child(2)[data-state='done']")

    listed = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert [entry["user_filename"] for entry in listed] == ["b.txt"]


def test_revoked_link_shows_a_clear_message(new_context: NewContext, client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token)
    page = new_context().new_page()
    page.goto(link["upload_url"])
    page.wait_for_selector("#drop:not([hidden])")

    client.delete(f"/api/reverse_shares/{link['id']}", headers=auth(token))
    page.set_input_files("#file-input", _files("late.txt"))
    page.wait_for_selector(".upload[data-state='failed']")
    assert "Upload link not found" in page.inner_text(".upload")

    response = page.goto(link["upload_url"])
    assert response is not None
    assert response.status == 404
    assert "Upload link not found" in page.content()


def test_page_takes_dropped_files(new_context: NewContext, client: httpx.Client) -> None:
    _, token = register(client)
    link = create_link(client, token)
    page = new_context().new_page()
    page.goto(link["upload_url"])
    page.wait_for_selector("#drop:not([hidden])")

    dropped = page.evaluate_handle(
        "() => { const data = new DataTransfer();"
        " data.items.add(new File(['dropped bytes'], 'dropped.txt')); return data; }"
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    page.wait_for_selector(".upload[data-state='done']")

    listed = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert [(entry["user_filename"], entry["size"]) for entry in listed] == [("dropped.txt", 13)]
    assert page.inner_text("#files-left") == "4"


def test_page_sends_a_file_beyond_one_post_as_a_direct_upload(
    new_context: NewContext, client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_UPLOAD_BYTES"] = "1024"  # so a small file takes the direct path
    _, token = register(client)
    link = create_link(client, token, max_bytes=10_000, password="pw")
    page = new_context().new_page()
    page.goto(link["upload_url"])
    page.wait_for_selector("#password-form:not([hidden])")
    page.fill("#password", "pw")

    big: FilePayload = {
        "name": "big.bin",
        "mimeType": "application/octet-stream",
        "buffer": b"z" * 5000,
    }
    page.set_input_files("#file-input", [big])
    page.wait_for_selector(".upload[data-state='done']")

    (entry,) = client.get("/api/get_files/private", headers=auth(token)).json()["data"]
    assert (entry["user_filename"], entry["size"], entry["received_via"]) == (
        "big.bin",
        5000,
        link["id"],
    )
    downloaded = client.get(f"/file/{entry['file_url']}", follow_redirects=True)
    assert downloaded.content == b"z" * 5000
    assert page.inner_text("#bytes-left") == "4.9 KiB"


def test_account_tab_creates_lists_and_revokes_upload_links(
    new_context: NewContext, client: httpx.Client
) -> None:
    username, token = register(client)
    page = new_context().new_page()
    log_in(page, username)
    page.click("#tab-account")
    assert page.is_checked("#webhook-form input[value='reverse_share.received']")

    page.fill("#link-files", "3")
    page.fill("#link-mib", "2")
    page.click("#link-form button[type=submit]")
    page.wait_for_selector(".notice.success:text('Upload link created')")
    (link,) = client.get("/api/reverse_shares", headers=auth(token)).json()["data"]
    assert (link["max_files"], link["max_bytes"]) == (3, 2 * 1024 * 1024)
    assert page.inner_text(".upload-link .webhook-url") == link["upload_url"]
    assert send(client, link["id"], b"abc").status_code == 200

    page.reload()
    page.click("#tab-account")
    page.wait_for_selector(".upload-link")
    assert "1 of 3 files" in page.inner_text(".upload-link")
    page.click(".upload-link button:text('Revoke')")
    page.wait_for_selector(".notice.success:text('Upload link revoked')")

    assert page.locator(".upload-link").count() == 0
    assert send(client, link["id"]).status_code == 404
