"""The `fileshare` command-line client against the local host and Azurite."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image

from cli import transfer
from cli.api import Api
from cli.config import Config
from cli.main import main
from cli.state import Pending, State, fingerprint
from tests.utils.accounts import PASSWORD, files_of, register
from tests.utils.payload import file_sha256, write_random_file
from tests.utils.receiver import receiving
from tests.utils.settings import MIB
from tests.utils.storage import StorageProbe
from tests.utils.webhook_spec import verify
from tests.utils.webhooks import wait_for_deliveries

BLOCK = 8 * MIB


@pytest.fixture
def cli_env(base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A config directory of the test's own, pointing the client at the test server."""
    env = {"FILESHARE_CONFIG_DIR": str(tmp_path / "config"), "FILESHARE_SERVER": base_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FILESHARE_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return env


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _link(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if "/file/" in line)


def _decode_terminal_qr(output: str) -> list[str]:
    """segno's compact terminal QR: each character is two modules, a full block two light ones."""
    halves = {"█": (255, 255), "▀": (255, 0), "▄": (0, 255), " ": (0, 0)}
    rows = [line for line in output.splitlines() if line and set(line) <= set(halves)]
    assert rows, "no QR code in the output"
    image = Image.new("L", (len(rows[0]), 2 * len(rows)))
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            top, bottom = halves[char]
            image.putpixel((x, 2 * y), top)
            image.putpixel((x, 2 * y + 1), bottom)
    image = image.resize((image.width * 4, image.height * 4), Image.Resampling.NEAREST)
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_cli_uploads_and_downloads_200_mib_straight_to_storage(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "big.bin"
    digest = write_random_file(source, 200 * MIB)

    started = time.monotonic()
    code, output = _run(capsys, "upload", str(source), "--no-qr")
    upload_seconds = time.monotonic() - started
    link = _link(output)
    code_down, downloaded = _run(capsys, "download", link, "-o", str(tmp_path / "copy.bin"))

    assert code == 0, output
    assert code_down == 0, downloaded
    assert "straight from storage" in downloaded
    assert f"({200 * MIB} bytes, size verified" in downloaded
    assert file_sha256(tmp_path / "copy.bin") == digest
    assert upload_seconds < 20


def test_cli_upload_prints_the_link_and_a_qr_code_of_it(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    source = tmp_path / "hello.txt"
    source.write_text("hello from the cli\n")

    code, output = _run(capsys, "upload", str(source))

    assert code == 0, output
    link = _link(output)
    assert link.startswith(f"{base_url}/file/")
    assert httpx.get(link).text == "hello from the cli\n"
    assert _decode_terminal_qr(output) == [link]


def test_cli_resumes_an_interrupted_upload_sending_only_missing_blocks(
    cli_env: dict[str, str], tmp_path: Path, storage: StorageProbe
) -> None:
    source = tmp_path / "resume.bin"
    digest = write_random_file(source, 6 * BLOCK - 100)
    sent: list[int] = []

    def interrupt_after_three(count: int) -> None:
        sent.append(count)
        if len(sent) == 3:
            raise KeyboardInterrupt

    api = Api(Config.load())
    with pytest.raises(KeyboardInterrupt):
        transfer.upload(
            api,
            source,
            options={},
            state=State(),
            progress=transfer.Progress(advance=interrupt_after_three),
            concurrency=1,
        )
    pending = State().pending(fingerprint(source), api.config.server)
    assert pending is not None
    status = api.upload_status(pending.file_url, pending.key)
    assert [block["id"] for block in status["uncommitted"]] == ["00000000", "00000001", "00000002"]

    resent: list[int] = []
    result = transfer.upload(
        api,
        source,
        options={},
        state=State(),
        progress=transfer.Progress(advance=resent.append),
    )

    assert result.resumed is True
    assert (result.blocks_total, result.blocks_sent) == (6, 3)
    assert len(resent) == 3
    assert sum(resent) == 3 * BLOCK - 100
    assert result.published["file_url"] == pending.file_url
    assert State().pending(fingerprint(source), api.config.server) is None
    copy = tmp_path / "copy.bin"
    assert httpx.get(result.published["file_url_full"], follow_redirects=True).status_code == 200
    api.close()
    code = main(["download", pending.file_url, "-o", str(copy)])
    assert code == 0
    assert file_sha256(copy) == digest
    assert storage.blob_exists(pending.file_url)


def test_cli_renews_the_upload_sas_when_storage_says_it_expired(
    cli_env: dict[str, str], tmp_path: Path, settings_env: dict[str, str]
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "2"
    source = tmp_path / "slow.bin"
    digest = write_random_file(source, 3 * BLOCK - 7)
    pauses: list[int] = []

    def slow_link(count: int) -> None:
        if not pauses:
            pauses.append(count)
            time.sleep(2.5)  # the SAS expires before the next block goes out

    api = Api(Config.load())
    try:
        result = transfer.upload(
            api,
            source,
            options={},
            state=State(),
            progress=transfer.Progress(advance=slow_link),
            concurrency=1,
        )
    finally:
        api.close()

    assert (result.blocks_total, result.blocks_sent) == (3, 3)
    copy = tmp_path / "copy.bin"
    assert main(["download", result.published["file_url"], "-o", str(copy)]) == 0
    assert file_sha256(copy) == digest


def test_cli_reports_a_resumed_upload(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "again.bin"
    write_random_file(source, 2 * BLOCK + 1)

    def stop(count: int) -> None:
        raise KeyboardInterrupt

    api = Api(Config.load())
    with pytest.raises(KeyboardInterrupt):
        transfer.upload(
            api,
            source,
            options={},
            state=State(),
            progress=transfer.Progress(advance=stop),
            concurrency=1,
        )
    api.close()
    code, output = _run(capsys, "upload", str(source), "--no-qr")

    assert code == 0, output
    assert "resumed: 1 of 3 blocks were already stored, sent 2" in output


def test_cli_starts_over_when_the_earlier_upload_is_gone(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "stale.txt"
    source.write_text("stale state")
    State().remember_pending(
        fingerprint(source),
        Pending(cli_env["FILESHARE_SERVER"], "AAAAAAAAAAAAAAAA", "k", "http://x/"),
    )

    code, output = _run(capsys, "upload", str(source), "--no-qr")

    assert code == 0, output
    assert "the earlier upload is gone (Upload not found); starting over" in output
    assert httpx.get(_link(output)).text == "stale state"


def test_cli_one_time_download_streams_then_the_link_is_gone(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "once.txt"
    source.write_text("only once")
    _, output = _run(capsys, "upload", str(source), "--max-downloads", "1", "--no-qr")
    link = _link(output)

    code, first = _run(capsys, "download", link, "-o", str(tmp_path / "got.txt"))
    again, second = _run(capsys, "download", link, "-o", str(tmp_path / "again.txt"))

    assert code == 0, first
    assert "through the API" in first
    assert (tmp_path / "got.txt").read_text() == "only once"
    assert again == 1
    assert "File not found (HTTP 404)" in second
    assert not (tmp_path / "again.txt").exists()


def test_cli_download_refuses_to_overwrite_without_force(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "keep.txt"
    source.write_text("new")
    _, output = _run(capsys, "upload", str(source), "--no-qr")
    existing = tmp_path / "existing.txt"
    existing.write_text("old")

    code, refused = _run(capsys, "download", _link(output), "-o", str(existing))
    forced, _ = _run(capsys, "download", _link(output), "-o", str(existing), "--force")

    assert code == 1
    assert "exists (use --force to overwrite)" in refused
    assert forced == 0
    assert existing.read_text() == "new"


def test_cli_rm_deletes_with_the_remembered_key(
    cli_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "gone.txt"
    source.write_text("delete me")
    _, output = _run(capsys, "upload", str(source), "--no-qr")
    link = _link(output)

    code, removed = _run(capsys, "rm", link)

    assert code == 0, removed
    assert httpx.get(link).status_code == 404


def test_cli_login_then_upload_ls_and_rm_from_the_listing(
    cli_env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    client: httpx.Client,
) -> None:
    username, _ = register(client)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n"))
    code, logged_in = _run(capsys, "login", username, "--password-stdin")
    source = tmp_path / "mine.txt"
    source.write_text("mine")
    _, uploaded = _run(capsys, "upload", str(source), "--no-qr")
    file_url = _link(uploaded).rsplit("/", 1)[-1]
    State().forget_key(cli_env["FILESHARE_SERVER"], file_url)  # rm must find it in the listing

    listed_code, listed = _run(capsys, "ls")
    token = Config.load().token
    assert token is not None
    removed_code, _ = _run(capsys, "rm", file_url)

    assert code == 0, logged_in
    assert f"as {username}" in logged_in
    assert listed_code == 0
    assert file_url in listed
    assert removed_code == 0
    assert files_of(client, token) == []
    mode = (Path(cli_env["FILESHARE_CONFIG_DIR"]) / "config.json").stat().st_mode
    assert mode & 0o077 == 0


def test_cli_buffer_put_and_get_text_and_files(
    cli_env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    client: httpx.Client,
) -> None:
    _, token = register(client)
    monkeypatch.setenv("FILESHARE_TOKEN", token)
    document = tmp_path / "notes ü.md"
    document.write_bytes(b"# notes\n")

    put_text, _ = _run(capsys, "buffer", "put", "--text", "clipboard text")
    got_text, text = _run(capsys, "buffer", "get")
    put_file, _ = _run(capsys, "buffer", "put", str(document))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    got_file, saved = _run(capsys, "buffer", "get", "-o", str(out_dir))

    assert (put_text, got_text, put_file, got_file) == (0, 0, 0, 0)
    assert text == "clipboard text"
    assert (out_dir / "notes ü.md").read_bytes() == b"# notes\n", saved


def test_cli_buffer_without_login_reports_the_auth_error(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _run(capsys, "buffer", "get")

    assert code == 1
    assert "Auth error: No Authorization header provided (HTTP 401)" in output


def test_fileshare_console_script_is_installed(
    cli_env: dict[str, str], tmp_path: Path, base_url: str
) -> None:
    script = Path(sys.executable).parent / "fileshare"
    source = tmp_path / "script.txt"
    source.write_text("from the console script")

    done = subprocess.run(
        [str(script), "upload", str(source), "--no-qr"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "FILESHARE_SERVER": base_url},
    )

    assert done.returncode == 0, done.stderr
    assert httpx.get(_link(done.stdout)).text == "from the console script"


def test_cli_webhooks_add_ls_test_deliveries_and_rm(
    cli_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    client: httpx.Client,
    settings_env: dict[str, str],
) -> None:
    settings_env["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] = "true"
    _, token = register(client)
    monkeypatch.setenv("FILESHARE_TOKEN", token)
    with receiving() as receiver:
        added_code, added = _run(capsys, "webhooks", "add", receiver.url, "--event", "file.deleted")
        webhook_id = added.split()[1]
        secret = added.split("signing secret: ")[1].split()[0]
        listed_code, listed = _run(capsys, "webhooks", "ls")
        tested_code, _ = _run(capsys, "webhooks", "test", webhook_id)
        (got,) = receiver.wait_for(1)
        wait_for_deliveries(client, token, webhook_id, status="delivered")
        sent_code, sent = _run(capsys, "webhooks", "deliveries", webhook_id)
        removed_code, _ = _run(capsys, "webhooks", "rm", webhook_id)

    assert (added_code, listed_code, tested_code, sent_code, removed_code) == (0, 0, 0, 0, 0)
    assert added.startswith(f"added {webhook_id} for file.deleted")
    verify(secret, got.headers, got.body)
    assert webhook_id in listed
    assert "enabled" in listed
    assert "webhook.test" in sent
    assert "delivered" in sent
    assert _run(capsys, "webhooks", "ls")[1].count("wh_") == 0
