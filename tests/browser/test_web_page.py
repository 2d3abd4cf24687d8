"""The web page end to end in headless Chromium, against the local host and Azurite."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.utils.accounts import PASSWORD, auth, create_group, new_username, register
from tests.utils.browser import PHONE, choose_files, log_in, screenshot, share_through_page
from tests.utils.files import upload

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Dialog, Page, Request, Route

    NewContext = Callable[..., BrowserContext]

pytestmark = pytest.mark.browser

MIB = 1024 * 1024
# Records every value the page's progress bars take, so a test can see progress happen.
RECORD_PROGRESS = """
window.progressSeen = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.tagName === "PROGRESS") window.progressSeen.push(change.target.value);
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["value"] });
"""


def _file(tmp_path: Path, name: str, size: int) -> tuple[Path, bytes]:
    content = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(content)
    return path, content


def _throttle_uploads(page: Page, bytes_per_second: int) -> None:
    """Slow the page's uploads down (Chrome's network emulation) so progress is observable."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


def test_upload_shows_progress_then_link_and_qr(
    page: Page, client: httpx.Client, base_url: str, tmp_path: Path
) -> None:
    path, content = _file(tmp_path, "holiday photos.bin", 3 * MIB)
    page.add_init_script(RECORD_PROGRESS)
    page.goto("/")
    screenshot(page, "01-share-empty")
    _throttle_uploads(page, 3 * MIB)

    choose_files(page, "#file-input", path)
    page.wait_for_function(
        "() => document.querySelector('.upload progress')?.value > 0.2", polling=50
    )
    screenshot(page, "02-share-uploading")
    page.wait_for_selector(".upload[data-state=done]")

    seen = page.evaluate("window.progressSeen")
    assert any(0 < value < 1 for value in seen), seen
    assert seen[-1] == 1
    assert re.fullmatch(r"[\d.]+(KB|MB)/s average", page.locator(".upload .speed").inner_text())
    link = page.input_value(".upload .link")
    assert link.startswith(f"{base_url}/file/")
    assert client.get(link).content == content
    qr = page.wait_for_selector(".upload img.qr")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr)
    delete_link = page.get_attribute(".upload .delete-link", "href") or ""
    assert re.fullmatch(rf"{re.escape(base_url)}/api/delete/[\w-]+\?key=[\w-]+", delete_link)
    screenshot(page, "03-share-done")


def test_link_opens_download_page_that_downloads_on_click(
    page: Page, client: httpx.Client, tmp_path: Path
) -> None:
    body = upload(
        client, b"quarterly numbers\n", filename="report <Q3>.txt", params={"max_downloads": "3"}
    )

    page.goto(body["file_url_full"])

    assert page.inner_text("#file-name") == "report <Q3>.txt"
    assert page.inner_text("#file-size") == "18 bytes"
    assert page.inner_text("#file-left") == "3"
    assert "UTC" in page.inner_text("#file-expires")
    screenshot(page, "04-download-page")
    with page.expect_download() as download_info:
        page.click("#download-button")
    download = download_info.value
    # Chrome keeps the name from Content-Disposition, minus characters it never writes to disk.
    assert download.suggested_filename == "report _Q3_.txt"
    assert Path(download.path()).read_bytes() == b"quarterly numbers\n"
    meta = client.get(f"/api/metadata/{body['file_url']}").json()
    assert (meta["download_count"], meta["downloads_left"]) == (1, 2)


def test_one_time_link_survives_viewing_its_page(
    page: Page, client: httpx.Client, tmp_path: Path
) -> None:
    path, content = _file(tmp_path, "secret.bin", 4096)
    page.goto("/")
    page.check("#one-time")
    assert page.is_disabled("#max-downloads")
    choose_files(page, "#file-input", path)
    page.wait_for_selector(".upload[data-state=done]")
    link = page.input_value(".upload .link")
    file_url = link.rsplit("/", 1)[-1]

    viewer = page.context.new_page()
    viewer.goto(link)
    viewer.reload()
    assert viewer.inner_text("#file-left") == "1"
    meta = client.get(f"/api/metadata/{file_url}").json()
    assert (meta["download_count"], meta["downloads_left"]) == (0, 1)

    with viewer.expect_download() as download_info:
        viewer.click("#download-button")
    assert Path(download_info.value.path()).read_bytes() == content
    assert client.get(f"/api/metadata/{file_url}").status_code == 404


def test_login_lists_own_and_group_files_with_counts(
    new_context: NewContext, client: httpx.Client
) -> None:
    username, token = register(client)
    group_id = create_group(client, token, "Design team")
    mine = upload(client, b"a" * 2500, filename="notes.txt", headers=auth(token))
    upload(client, b"b" * 100, filename="logo.png", group=str(group_id), headers=auth(token))
    client.get(f"/file/{mine['file_url']}")
    page = new_context().new_page()

    log_in(page, username)
    page.click("#tab-files")
    page.wait_for_selector(f"[data-file-url='{mine['file_url']}'] .downloads:text('1 download')")
    page.wait_for_selector(f".file-section[data-group='{group_id}'] .file")
    screenshot(page, "05-files")

    mine_item = page.locator(f"[data-file-url='{mine['file_url']}']")
    assert mine_item.locator(".name").inner_text() == "notes.txt"
    assert "2.4KB" in mine_item.inner_text()
    assert "Expires in" in mine_item.inner_text()
    group_section = page.locator(f".file-section[data-group='{group_id}']")
    assert group_section.locator("h2").inner_text() == "Group: Design team"
    assert group_section.locator(".name").inner_text() == "logo.png"
    page.click("#tab-share")
    options = page.locator("#target option").all_inner_texts()
    assert options == ["My files (private link)", "Group: Design team"]

    page.click("#tab-account")
    page.click("#logout-button")
    page.wait_for_selector("body.signed-out")
    assert page.evaluate("localStorage.getItem('fileshare.token')") is None


def test_buffer_carries_text_and_a_file_between_two_devices(
    new_context: NewContext, client: httpx.Client, tmp_path: Path
) -> None:
    username, _ = register(client)
    laptop = new_context().new_page()
    phone = new_context(PHONE).new_page()
    log_in(laptop, username)
    log_in(phone, username)

    laptop.click("#tab-buffer")
    laptop.fill("#buffer-text", "the wifi password is hunter2")
    laptop.click("#buffer-text-form button[type=submit]")
    laptop.wait_for_selector(".notice.success:text('Put text in your buffer.')")
    phone.click("#tab-buffer")
    phone.click("#buffer-take")
    assert phone.locator("#buffer-taken").input_value() == "the wifi password is hunter2"
    screenshot(phone, "06-buffer-phone")

    path, content = _file(tmp_path, "ticket.pdf", 70_000)
    choose_files(laptop, "#buffer-file", path)
    laptop.wait_for_selector(".notice.success:text('Put ticket.pdf in your buffer.')")
    phone.click("#buffer-take")
    with phone.expect_download() as download_info:
        phone.click("#buffer-save")
    assert download_info.value.suggested_filename == "ticket.pdf"
    assert Path(download_info.value.path()).read_bytes() == content


def test_oversized_file_shows_the_limit(page: Page, tmp_path: Path) -> None:
    path, _ = _file(tmp_path, "too big.iso", 10 * MIB)
    page.goto("/")

    choose_files(page, "#file-input", path)
    failed = page.locator(".upload[data-state=failed]")
    failed.wait_for()

    assert failed.locator(".status").inner_text() == (
        "Too large: File size exceeds the limit (9MB)."
    )
    # Retrying cannot help: the page offers to remove the entry instead.
    assert not failed.locator("button:text('Retry')").is_visible()
    assert failed.locator("button:text('Remove')").is_visible()
    screenshot(page, "07-error-too-large")


def test_large_file_goes_direct_to_blob_and_resumes_after_cancel(
    page: Page, client: httpx.Client, tmp_path: Path
) -> None:
    path, content = _file(tmp_path, "video.mp4", 20 * MIB)  # 3 blocks of at most 8 MiB
    blocks: list[tuple[str, int]] = []

    def record_block(request: Request) -> None:
        response = request.response()
        if "comp=block&" in request.url and response is not None:
            blocks.append((request.url, response.status))

    page.on("requestfinished", record_block)
    page.goto("/")
    _throttle_uploads(page, 12 * MIB)

    choose_files(page, "#file-input", path)
    page.wait_for_function("() => document.querySelector('.upload progress')?.value > 0.05")
    page.wait_for_event("requestfinished", lambda request: "comp=block&" in request.url)
    page.click(".upload button:text('Cancel')")
    page.wait_for_selector(".upload[data-state=cancelled]")
    before = {url.split("blockid=")[1] for url, status in blocks if status == 201}
    blocks.clear()
    page.click(".upload button:text('Retry')")
    page.wait_for_selector(".upload[data-state=done]", timeout=20_000)

    after = {url.split("blockid=")[1] for url, status in blocks if status == 201}
    assert before
    assert not before & after
    assert len(before | after) == 3
    link = page.input_value(".upload .link")
    # Larger than MAX_UPLOAD_BYTES (only a direct upload makes such a file): it goes to storage.
    assert client.get(link, follow_redirects=True).content == content


def test_large_file_upload_renews_an_expired_sas_and_finishes(
    page: Page, client: httpx.Client, tmp_path: Path, settings_env: dict[str, str]
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "3"
    path, content = _file(tmp_path, "late.bin", 17 * MIB)
    statuses: list[int] = []
    held: list[bool] = []

    def hold_first_blocks(route: Route) -> None:
        if not held:
            held.append(True)
            time.sleep(5)  # the 3 s SAS expires, with room to spare, while blocks wait
        route.continue_()

    def record_block(request: Request) -> None:
        response = request.response()
        if "comp=block&" in request.url and response is not None:
            statuses.append(response.status)

    page.route(re.compile(r".*comp=block&.*"), hold_first_blocks)
    page.on("requestfinished", record_block)
    page.goto("/")

    choose_files(page, "#file-input", path)
    page.wait_for_selector(".upload[data-state=done]", timeout=30_000)

    assert 403 in statuses
    assert statuses.count(201) == 3
    assert client.get(page.input_value(".upload .link"), follow_redirects=True).content == content


def test_group_owner_deletes_a_members_file_without_its_key(
    new_context: NewContext, client: httpx.Client
) -> None:
    owner_name, owner = register(client)
    group_id = create_group(client, owner, "Reviewers")
    _, member = register(client)
    code = client.get(f"/api/generate_invite/{group_id}", headers=auth(owner)).json()
    client.post(f"/api/join/{code['invite_link'].rsplit('/', 1)[-1]}", headers=auth(member))
    theirs = upload(
        client, b"member's", filename="draft.txt", group=str(group_id), headers=auth(member)
    )
    page = new_context().new_page()

    log_in(page, owner_name)
    page.click("#tab-files")
    item = page.locator(f"[data-file-url='{theirs['file_url']}']")
    page.once("dialog", lambda dialog: dialog.accept())  # the page asks before deleting
    item.locator("button:text('Delete')").click()
    page.wait_for_selector(f"[data-file-url='{theirs['file_url']}']", state="detached")

    assert client.get(f"/file/{theirs['file_url']}").status_code == 404


def test_invite_link_lets_a_second_user_join_then_leave(
    new_context: NewContext, client: httpx.Client
) -> None:
    owner_name, _ = register(client, new_username("owner"))
    member_name, _ = register(client, new_username("member"))
    owner = new_context().new_page()
    log_in(owner, owner_name)
    owner.click("#tab-groups")
    owner.fill("#group-name", "Climbing club")
    owner.click("#create-group-form button[type=submit]")
    owner.click(".group:has-text('Climbing club') button:text('Make invite link')")
    invite = owner.locator(".group .invite .link").input_value()
    screenshot(owner, "08-groups")

    member = new_context(PHONE).new_page()
    log_in(member, member_name)
    member.goto(invite)
    assert member.input_value("#join-code") == invite.rsplit("/", 1)[-1]
    member.click("#join-form button[type=submit]")
    member.wait_for_selector(".notice.success:text('You joined Climbing club.')")
    member.wait_for_selector(".group:has-text('Climbing club'):has-text('member')")
    member.click(".group button:text('Leave')")
    member.wait_for_selector(".notice.success:text('You left Climbing club.')")
    member.wait_for_selector("#group-list li:text('You are in no group yet.')")


def test_keyboard_moves_through_tabs_to_the_file_picker(page: Page) -> None:
    page.goto("/")
    focused = "() => document.activeElement.id || document.activeElement.textContent"

    visited = []
    for _ in range(4):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(focused))
    assert visited == ["Skip to content", "fileshare", "header-account", "tab-share"]
    page.keyboard.press("ArrowRight")
    assert page.evaluate(focused) == "tab-bundle"
    assert page.is_visible("#panel-bundle")
    assert not page.is_visible("#panel-share")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "file-input"


def test_page_fits_a_phone_screen(new_context: NewContext) -> None:
    page = new_context(PHONE).new_page()
    page.goto("/")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "09-share-phone")


def test_files_dropped_beyond_the_rate_limit_wait_with_a_countdown_then_upload(
    page: Page, client: httpx.Client, tmp_path: Path, settings_env: dict[str, str]
) -> None:
    paths = [_file(tmp_path, f"photo {n}.jpg", 1000 + n)[0] for n in range(3)]
    window = 4
    settings_env["UPLOAD_RATE_LIMIT_PER_MINUTE"] = "2"
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(window)
    page.goto("/")
    time.sleep(window - time.time() % window)  # windows start at multiples of their length

    choose_files(page, "#file-input", *paths)
    waiting = page.locator(".upload[data-state=waiting]")
    waiting.wait_for()
    status = waiting.locator(".status").inner_text()
    screenshot(page, "10-share-rate-limited")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.upload')].every((u) => u.dataset.state === 'done')",
        timeout=3 * window * 1000,
    )

    assert re.fullmatch(r"Rate limited by the server: retrying in \d+ s", status)
    links = page.locator(".upload .link").evaluate_all("(inputs) => inputs.map((i) => i.value)")
    assert len(links) == 3
    assert sorted(len(client.get(link).content) for link in links) == [1000, 1001, 1002]


def test_login_beyond_the_rate_limit_waits_with_a_countdown_then_signs_in(
    page: Page, client: httpx.Client, settings_env: dict[str, str]
) -> None:
    username, _ = register(client)
    window = 4
    settings_env["AUTH_RATE_LIMIT_PER_MINUTE"] = "1"
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(window)
    page.goto("/")
    page.click("#tab-account")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    time.sleep(window - time.time() % window)  # windows start at multiples of their length
    client.post("/api/login", json={"username": username, "password": PASSWORD})

    page.click("#login-button")
    page.wait_for_selector(
        ".notice:text-matches('Too many requests right now: retrying in [0-9]+ s')"
    )
    page.wait_for_selector("body.signed-in", timeout=3 * window * 1000)

    assert page.inner_text("#who-name") == username


def test_reload_keeps_links_and_delete_keys_until_the_list_is_cleared(
    page: Page, client: httpx.Client, tmp_path: Path
) -> None:
    path, content = _file(tmp_path, "kept.txt", 2000)
    link = share_through_page(page, path)
    delete_link = page.get_attribute(".upload .delete-link", "href")

    page.reload()
    kept = page.locator(".upload[data-state=done]")

    assert kept.count() == 1
    assert kept.locator(".link").input_value() == link
    assert kept.locator(".delete-link").get_attribute("href") == delete_link
    assert page.inner_text("#uploads-kept") == "1 upload kept in this browser."
    screenshot(page, "11-share-after-reload")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#clear-uploads")
    assert kept.count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#clear-uploads")
    assert page.locator(".upload").count() == 0
    assert page.is_hidden("#uploads-head")
    page.reload()
    assert page.locator(".upload").count() == 0
    assert client.get(link).content == content  # forgetting is not deleting


def test_direct_upload_interrupted_by_a_reload_resumes_once_the_file_is_chosen_again(
    page: Page, client: httpx.Client, tmp_path: Path
) -> None:
    path, content = _file(tmp_path, "film.mp4", 20 * MIB)  # 3 blocks of at most 8 MiB
    blocks: list[str] = []

    def record_block(request: Request) -> None:
        response = request.response()
        if "comp=block&" in request.url and response is not None and response.status == 201:
            blocks.append(request.url.split("blockid=")[1])

    page.on("requestfinished", record_block)
    page.goto("/")
    _throttle_uploads(page, 12 * MIB)
    choose_files(page, "#file-input", path)
    page.wait_for_event("requestfinished", lambda request: "comp=block&" in request.url)
    before = set(blocks)

    page.reload()
    interrupted = page.locator(".upload[data-state=interrupted]")
    interrupted.wait_for()
    assert "choose the same file to resume where it stopped" in interrupted.inner_text()
    screenshot(page, "12-share-interrupted")
    blocks.clear()
    page.set_input_files(".upload input[type=file]", str(path))
    page.wait_for_selector(".upload[data-state=done]", timeout=20_000)

    assert before
    assert not before & set(blocks)
    # 20 MiB is over the test cap (MAX_UPLOAD_BYTES): the link redirects to storage.
    link = page.input_value(".upload .link")
    assert client.get(link, follow_redirects=True).content == content


def test_delete_asks_first_and_only_then_deletes(
    page: Page, client: httpx.Client, tmp_path: Path
) -> None:
    path, _ = _file(tmp_path, "draft.txt", 300)
    link = share_through_page(page, path)
    questions: list[str] = []

    def answer(accept: bool) -> Callable[[Dialog], None]:
        def respond(dialog: Dialog) -> None:
            questions.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return respond

    page.once("dialog", answer(False))
    page.click(".upload button:text('Delete now')")
    still_there = client.get(link).status_code
    page.once("dialog", answer(True))
    page.click(".upload button:text('Delete now')")
    page.wait_for_selector(".upload[data-state=deleted]")

    assert still_there == 200
    assert questions == ["Delete draft.txt? The link stops working for everyone."] * 2
    assert client.get(link).status_code == 404
    page.reload()
    assert page.locator(".upload").count() == 0


def test_one_time_page_says_the_link_is_used_after_download(
    page: Page, client: httpx.Client
) -> None:
    body = upload(client, b"once", filename="once.txt", params={"max_downloads": "1"})
    page.goto(body["file_url_full"])

    with page.expect_download() as download_info:
        page.click("#download-button")
    assert Path(download_info.value.path()).read_bytes() == b"once"

    assert page.inner_text("#download-notice") == (
        "Your download has started. This link is now used up: it will not work again."
    )
    assert page.inner_text("#file-left") == "0"
    assert page.is_disabled("#download-button")
    screenshot(page, "13-download-page-used")


def test_taking_an_empty_buffer_explains_why(new_context: NewContext, client: httpx.Client) -> None:
    username, _ = register(client)
    page = new_context().new_page()
    log_in(page, username)
    page.click("#tab-buffer")

    page.click("#buffer-take")

    assert page.locator(".notice.error").inner_text() == (
        "Buffer is empty: it may have expired, been used up or deleted."
    )
