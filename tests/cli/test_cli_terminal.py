"""The `fileshare` client in a terminal, as a user runs it: Ctrl-C and rerun, rate limits."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import httpx
import pytest

from cli import transfer
from cli.api import Api
from cli.config import Config
from cli.state import PartialDownload, State
from tests.utils.direct import direct_upload
from tests.utils.files import upload
from tests.utils.proxy import slow_proxy
from tests.utils.server import ROOT
from tests.utils.settings import MIB
from tests.utils.terminal import CTRL_C, Terminal

_PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


@pytest.fixture
def user_env(base_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a user whose client talks to the test server, with its own config."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARIABLES}
    env.pop("FILESHARE_TOKEN", None)
    env.update(FILESHARE_CONFIG_DIR=str(tmp_path / "config"), FILESHARE_SERVER=base_url)
    return env


def _fileshare(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def test_download_interrupted_with_ctrl_c_resumes_where_it_stopped(
    client: httpx.Client, user_env: dict[str, str], tmp_path: Path
) -> None:
    size = 24 * MIB  # three 8 MiB ranges
    content = os.urandom(size)
    published = direct_upload(client, content, filename="big.bin")
    target = tmp_path / "big.bin"
    partial = tmp_path / ".big.bin.part"
    argv = _fileshare(
        "download", published["file_url_full"], "-o", str(target), "--concurrency", "2"
    )

    # A slow network (4 MiB/s a connection), so the download can be stopped half-way.
    with slow_proxy(4 * MIB) as (proxy, seen):
        env = {**user_env, "HTTP_PROXY": proxy, "http_proxy": proxy}
        first = Terminal(argv, env=env, cwd=ROOT)
        first.wait_until(lambda: partial.exists() and partial.stat().st_size >= 8 * MIB)
        first.type(CTRL_C)
        interrupted = first.wait()
        held = partial.stat().st_size
        before_rerun = len(seen)
        second = Terminal(argv, env=env, cwd=ROOT)
        finished = second.wait()
        rerun = seen[before_rerun:]

    assert interrupted == 130, first.text
    assert "interrupted; run the same command again to resume" in first.text
    assert 0 < held < size
    assert finished == 0, second.text
    assert f"resumed: {held} of {size} bytes were already here, fetched {size - held}" in (
        second.text
    )
    assert "size verified, straight from storage" in second.text
    # Storage was asked for the missing bytes only, each range still of the same blob.
    ranges = [r for r in rerun if r.method == "GET" and "x-ms-range" in r.headers]
    starts = sorted(int(r.headers["x-ms-range"].split("=")[1].split("-")[0]) for r in ranges)
    assert starts[0] == held
    assert all(r.headers.get("if-match") for r in ranges)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(content).digest()
    assert not partial.exists()


def test_download_starts_over_when_the_partial_file_is_of_another_version(
    client: httpx.Client, user_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = os.urandom(3 * MIB)
    published = direct_upload(client, content, filename="changed.bin")
    for name in ("FILESHARE_CONFIG_DIR", "FILESHARE_SERVER"):
        monkeypatch.setenv(name, user_env[name])
    target = tmp_path / "changed.bin"
    partial = tmp_path / ".changed.bin.part"
    partial.write_bytes(b"bytes of an older version")
    api = Api(Config.load())
    State().remember_download(
        partial, PartialDownload(api.config.server, published["file_url"], '"0x8D00000000000"')
    )

    result = transfer.download(
        api, published["file_url"], output=target, force=False, state=State()
    )
    api.close()

    assert result.resumed_from == 0
    assert target.read_bytes() == content
    assert State().partial_download(partial) is None


@pytest.mark.usefixtures("client")
def test_upload_waits_out_the_rate_limit_with_a_countdown_then_succeeds(
    user_env: dict[str, str], tmp_path: Path, settings_env: dict[str, str], client: httpx.Client
) -> None:
    window = 4
    settings_env["UPLOAD_RATE_LIMIT_PER_MINUTE"] = "1"
    settings_env["RATE_LIMIT_WINDOW_SECONDS"] = str(window)
    time.sleep(window - time.time() % window)  # windows start at multiples of their length
    upload(client, b"uses up the window")  # from this address, like the client's
    source = tmp_path / "next.txt"
    source.write_text("after the wait")

    terminal = Terminal(_fileshare("upload", str(source), "--no-qr"), env=user_env, cwd=ROOT)
    code = terminal.wait()

    assert code == 0, terminal.text
    assert "rate limited by the server: retrying in" in terminal.text
    link = next(line.strip() for line in terminal.text.splitlines() if "/file/" in line)
    assert httpx.get(link).text == "after the wait"
