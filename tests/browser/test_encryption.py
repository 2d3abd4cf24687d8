"""End-to-end encryption in Chromium: the page encrypts and the CLI decrypts, the CLI encrypts
and the page decrypts, and no request either makes carries the key (docs/encryption.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from cli import transfer
from cli.api import Api
from cli.config import Config
from cli.encryption import HEADER_BYTES, RECORD_SIZE, LinkKey
from cli.state import State
from tests.utils.browser import choose_files
from tests.utils.direct import direct_upload
from tests.utils.encryption import ciphertext, key_forms
from tests.utils.server import ROOT
from tests.utils.settings import MIB

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

    from tests.browser.conftest import NewContext


def _record_requests(page: Page) -> list[str]:
    """Every request of the page's context (its service worker's included): line, headers, body."""
    seen: list[str] = []

    def note(request: Request) -> None:
        body = request.post_data_buffer or b""
        seen.append(f"{request.method} {request.url} {request.headers} {body[:4096]!r}")

    page.context.on("request", note)
    return seen


def _assert_no_key(seen: list[str], key: LinkKey) -> None:
    forms = [form.decode() for form in key_forms(key)[1:]]  # the text spellings
    assert seen
    leaks = [line[:200] for line in seen if any(form in line for form in forms)]
    assert leaks == []


def _encrypt_in_page(page: Page, path: Path, password: str | None = None) -> str:
    page.goto("/")
    page.check("#encrypt")
    if password:
        page.fill("#encrypt-password", password)
    choose_files(page, "#file-input", path)
    page.wait_for_selector(".upload[data-state=done]", timeout=120_000)
    return page.input_value(".upload .link")


def test_page_encrypts_and_the_cli_decrypts(
    page: Page, client: httpx.Client, base_url: str, tmp_path: Path
) -> None:
    content = os.urandom(3 * MIB + 77)
    path = tmp_path / "Plans for 2027.pdf"
    path.write_bytes(content)
    seen = _record_requests(page)

    link = _encrypt_in_page(page, path)

    assert "#k=" in link
    key = LinkKey.from_fragment(urlsplit(link).fragment)
    _assert_no_key(seen, key)
    assert not any("Plans for 2027" in line for line in seen)
    file_url = urlsplit(link).path.rsplit("/", 1)[-1]
    meta = client.get(f"/api/metadata/{file_url}").json()
    assert (meta["encrypted"], meta["original_name"]) == (True, "encrypted.bin")
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "cli", "download", link, "-o", str(out)],
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "FILESHARE_SERVER": base_url,
            "FILESHARE_CONFIG_DIR": str(tmp_path / "config"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "Plans for 2027.pdf").read_bytes() == content


def _cli_upload(base_url: str, path: Path, tmp_path: Path, **options: object) -> str:
    api = Api(Config(base_url, None, None))
    try:
        result = transfer.upload(
            api,
            path,
            options=dict(options),
            state=State(tmp_path / "state.json"),
            encrypt=True,
            password=None,
        )
    finally:
        api.close()
    return result.link


@pytest.mark.parametrize("limited", [False, True], ids=["direct", "one-time"])
def test_cli_encrypts_and_the_page_decrypts_to_disk(
    page: Page, base_url: str, tmp_path: Path, client: httpx.Client, limited: bool
) -> None:
    content = os.urandom(2 * MIB + 5)
    path = tmp_path / "holiday.jpg"
    path.write_bytes(content)
    link = _cli_upload(base_url, path, tmp_path, **({"max_downloads": 1} if limited else {}))
    seen = _record_requests(page)

    page.goto(link)
    page.wait_for_selector("#decrypt-button:not([disabled])")
    assert "holiday" not in page.content()
    with page.expect_download(timeout=60_000) as download_info:
        page.click("#decrypt-button")
    download = download_info.value

    assert download.failure() is None
    assert download.suggested_filename == "holiday.jpg"
    assert Path(download.path()).read_bytes() == content
    _assert_no_key(seen, LinkKey.from_fragment(urlsplit(link).fragment))
    file_url = urlsplit(link).path.rsplit("/", 1)[-1]
    # The worker's own requests were inspected too: its fetch of the ciphertext, and (unlimited
    # files) the storage URL that redirected to.
    assert any(f"/file/{file_url}?direct=1" in line for line in seen)
    assert limited or any("/devstoreaccount1/" in line for line in seen)
    if limited:  # the page itself did not count; the one download used the link up
        assert client.get(f"/api/metadata/{file_url}").status_code == 404


def test_password_link_decrypts_in_the_page_only_with_its_password(
    new_context: NewContext, tmp_path: Path
) -> None:
    content = b"the treasure is under the oak\n" * 5000
    path = tmp_path / "map.txt"
    path.write_bytes(content)
    link = _encrypt_in_page(new_context().new_page(), path, password="correct horse")
    assert link.endswith("&p=1")

    page = new_context().new_page()
    page.goto(link)
    page.wait_for_selector("#decrypt-button:not([disabled])")
    assert page.is_visible("#password")
    page.fill("#password", "correct horse")
    with page.expect_download(timeout=60_000) as download_info:
        page.click("#decrypt-button")
    assert Path(download_info.value.path()).read_bytes() == content


class _Heaps:
    """Peak JS memory of the page and of the decrypting service worker, from
    Runtime.getHeapUsage (the worker's through the browser's CDP session: Playwright opens none
    on workers). `heap` is V8's heap in use (what `performance.memory` and DevTools call the JS
    heap); `total` adds ArrayBuffer backing stores and Blink's heap, which V8 frees lazily, so
    it includes garbage not yet collected."""

    def __init__(self, page: Page) -> None:
        self.peaks = {"page heap": 0.0, "page total": 0.0, "worker heap": 0.0, "worker total": 0.0}
        self._wait = page.wait_for_timeout  # the sync API delivers events only while it runs
        self._page = page.context.new_cdp_session(page)
        browser = page.context.browser
        assert browser is not None
        self._browser = browser.new_browser_cdp_session()
        self._replies: dict[int, dict[str, Any]] = {}
        self._browser.on("Target.receivedMessageFromTarget", self._received)
        self._worker: str | None = None
        self._next = 0

    def _received(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self._replies[message["id"]] = message

    def _attach(self) -> str | None:
        if self._worker is None:
            targets = self._browser.send("Target.getTargets")["targetInfos"]
            worker = next((t for t in targets if t["type"] == "service_worker"), None)
            if worker is not None:
                attached = {"targetId": worker["targetId"], "flatten": False}
                self._worker = self._browser.send("Target.attachToTarget", attached)["sessionId"]
        return self._worker

    def _note(self, who: str, usage: dict[str, Any]) -> None:
        heap = float(usage.get("usedSize", 0))
        total = heap + sum(
            float(usage.get(key, 0)) for key in ("embedderHeapUsedSize", "backingStorageSize")
        )
        self.peaks[f"{who} heap"] = max(self.peaks[f"{who} heap"], heap)
        self.peaks[f"{who} total"] = max(self.peaks[f"{who} total"], total)

    def sample(self) -> None:
        self._note("page", self._page.send("Runtime.getHeapUsage"))
        session = self._attach()
        if session is None:
            return
        self._next += 1
        ask = {"id": self._next, "method": "Runtime.getHeapUsage"}
        self._browser.send(
            "Target.sendMessageToTarget", {"sessionId": session, "message": json.dumps(ask)}
        )
        deadline = time.monotonic() + 5
        while self._next not in self._replies and time.monotonic() < deadline:
            self._wait(20)
        self._note("worker", self._replies.pop(self._next, {}).get("result", {}))


def test_page_heap_stays_small_for_a_large_encrypted_round_trip(page: Page, tmp_path: Path) -> None:
    """E2E_HEAP_MIB (default 16) of random bytes encrypted, uploaded, downloaded and decrypted
    in Chromium; the peak JS memory of the page and of its service worker is printed
    (E2E_HEAP_MIB=256 for the figure the issue asks for)."""
    size = int(os.environ.get("E2E_HEAP_MIB", "16")) * MIB
    path = tmp_path / "large.bin"
    with path.open("wb") as out:
        for _ in range(size // MIB):
            out.write(os.urandom(MIB))
    heaps = _Heaps(page)
    page.goto("/")
    page.check("#encrypt")
    choose_files(page, "#file-input", path)
    while page.get_attribute(".upload", "data-state") != "done":
        heaps.sample()
        time.sleep(0.2)
    link = page.input_value(".upload .link")

    page.goto(link)
    page.wait_for_selector("#decrypt-button:not([disabled])")
    with page.expect_download(timeout=600_000) as download_info:
        page.click("#decrypt-button")
    download = download_info.value
    while "Decrypted and saved" not in page.inner_text("#decrypt-status"):
        heaps.sample()
        time.sleep(0.1)
    heaps.sample()
    saved = Path(download.path())

    assert saved.stat().st_size == size
    figures = ", ".join(f"{name} {value / MIB:.1f} MiB" for name, value in heaps.peaks.items())
    print(f"\nJS memory peaks for {size // MIB} MiB: {figures}")
    assert heaps.peaks["page heap"] < 64 * MIB
    assert 0 < heaps.peaks["worker heap"] < 64 * MIB


def test_tampered_ciphertext_fails_in_the_page_and_leaves_no_file(
    page: Page, client: httpx.Client
) -> None:
    key = LinkKey.new()
    sealed = bytearray(ciphertext(os.urandom(3 * RECORD_SIZE), key, name="ledger.csv"))
    sealed[HEADER_BYTES + RECORD_SIZE + 9] ^= 0x01  # a byte of the second record
    body = direct_upload(client, bytes(sealed), encrypted=True)

    page.goto(f"{body['file_url_full']}#{key.fragment()}")
    page.wait_for_selector("#decrypt-button:not([disabled])")
    with page.expect_download(timeout=60_000) as download_info:
        page.click("#decrypt-button")
    download = download_info.value

    assert download.failure() is not None  # the browser discards what it had written
    page.wait_for_function(
        "() => document.querySelector('#decrypt-status').textContent.includes('failed')"
    )
    status = page.inner_text("#decrypt-status")
    assert "Decryption failed: record 1 failed authentication" in status


def test_encrypted_upload_interrupted_by_a_reload_resumes_with_the_same_ciphertext(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    content = os.urandom(20 * MIB)  # three blocks of ciphertext
    path = tmp_path / "film.mkv"
    path.write_bytes(content)
    blocks: list[str] = []

    def record_block(request: Request) -> None:
        response = request.response()
        if "comp=block&" in request.url and response is not None and response.status == 201:
            blocks.append(request.url.split("blockid=")[1])

    page.on("requestfinished", record_block)
    page.goto("/")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 12 * MIB},
    )
    page.check("#encrypt")
    choose_files(page, "#file-input", path)
    page.wait_for_event("requestfinished", lambda request: "comp=block&" in request.url)
    before = set(blocks)

    page.reload()
    page.locator(".upload[data-state=interrupted]").wait_for()
    blocks.clear()
    page.set_input_files(".upload input[type=file]", str(path))
    page.wait_for_selector(".upload[data-state=done]", timeout=60_000)
    link = page.input_value(".upload .link")

    assert before
    assert not before & set(blocks)  # blocks storage held were not sent again
    api = Api(Config(base_url, None, None))
    try:
        result = transfer.download(
            api,
            urlsplit(link).path.rsplit("/", 1)[-1],
            output=tmp_path / "back.mkv",
            force=False,
            state=State(tmp_path / "state.json"),
            key=LinkKey.from_fragment(urlsplit(link).fragment),
        )
    finally:
        api.close()
    assert result.path.read_bytes() == content  # the resumed blocks are the same ciphertext
