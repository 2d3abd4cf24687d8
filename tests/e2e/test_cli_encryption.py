"""`fileshare upload --encrypt` and `fileshare download <link#k=...>` against the local host."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from cli import transfer
from cli.api import Api
from cli.config import Config
from cli.encryption import HEADER_BYTES, RECORD_SIZE, LinkKey
from cli.state import State
from tests.utils.accounts import create_group, files_of, register
from tests.utils.direct import direct_upload
from tests.utils.encryption import ciphertext, key_forms
from tests.utils.proxy import slow_proxy
from tests.utils.server import ROOT
from tests.utils.settings import MIB
from tests.utils.storage import CONTAINER, StorageProbe


def _fileshare(
    env: dict[str, str], *argv: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *argv],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=cwd or ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def cli_env(base_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "FILESHARE_CONFIG_DIR": str(tmp_path / "config"),
        "FILESHARE_SERVER": base_url,
        "COLUMNS": "200",
    }


def _link(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if "/file/" in line)


def test_encrypted_upload_and_download_never_show_the_key_to_the_server(
    cli_env: dict[str, str],
    tmp_path: Path,
    client: httpx.Client,
    storage: StorageProbe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    content = os.urandom(17 * MIB + 123)  # three 8 MiB blocks of ciphertext
    source = tmp_path / "Quarterly report.pdf"
    source.write_bytes(content)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    with slow_proxy(2**30) as (proxy, seen):
        env = {**cli_env, "HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": ""}
        up = _fileshare(env, "upload", str(source), "--encrypt", "--no-qr")
        assert up.returncode == 0, up.stdout + up.stderr
        link = _link(up.stdout)
        down = _fileshare(env, "download", link, "-o", str(out_dir))

    assert down.returncode == 0, down.stdout + down.stderr
    assert "decrypted, every record authenticated" in down.stdout
    assert (out_dir / "Quarterly report.pdf").read_bytes() == content
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]
    fragment = urlsplit(link).fragment
    key = LinkKey.from_fragment(fragment)
    file_url = urlsplit(link).path.rsplit("/", 1)[-1]

    # What the server knows: ciphertext, a neutral name and type, the ciphertext's size.
    meta = client.get(f"/api/metadata/{file_url}").json()
    assert meta["encrypted"] is True
    assert meta["original_name"] == "encrypted.bin"
    assert meta["content_type"] == "application/octet-stream"
    assert meta["file_size"] > len(content)
    stored = storage.blobs.get_blob_client(CONTAINER, f"f/{file_url}").download_blob().readall()
    assert len(stored) == meta["file_size"]
    assert content[1000:1064] not in stored

    # The key in no request line or header (API and storage alike), blob, row or log line.
    forms = key_forms(key)
    assert len(seen) > 5
    for request in seen:
        text = f"{request.method} {request.url} {request.headers}".encode()
        assert not any(form in text for form in forms), request
        assert "Quarterly" not in request.url
    assert not any(form in stored for form in forms)
    row = storage.file_row(file_url)
    assert row is not None
    assert row["encrypted"] is True
    assert not any(form in repr(row).encode() for form in forms)
    assert b"Quarterly" not in repr(row).encode()
    logged = "\n".join(f"{r.__dict__} {r.getMessage()}" for r in caplog.records).encode()
    assert not any(form in logged for form in forms)


def test_password_link_needs_the_password(cli_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"meet at noon\n" * 1000)
    up = _fileshare(
        cli_env,
        "upload",
        str(source),
        "--encrypt",
        "--encrypt-password-stdin",
        "--no-qr",
        "--max-downloads",
        "2",
        stdin="hunter2 horse\n",
    )
    assert up.returncode == 0, up.stdout + up.stderr
    link = _link(up.stdout)
    assert link.endswith("&p=1")

    wrong = _fileshare(
        cli_env, "download", link, "--encrypt-password-stdin", stdin="nope\n", cwd=tmp_path
    )
    right = _fileshare(
        cli_env,
        "download",
        link,
        "--encrypt-password-stdin",
        "-o",
        str(tmp_path / "got.txt"),
        stdin="hunter2 horse\n",
    )

    assert wrong.returncode == 1
    assert "decryption failed" in wrong.stdout
    assert "failed authentication" in wrong.stdout
    assert right.returncode == 0, right.stdout + right.stderr
    assert (tmp_path / "got.txt").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("damage", ["tamper", "truncate", "reorder"])
def test_damaged_ciphertext_fails_and_leaves_no_plaintext(
    cli_env: dict[str, str], tmp_path: Path, client: httpx.Client, damage: str
) -> None:
    key = LinkKey.new()
    content = os.urandom(3 * RECORD_SIZE)
    sealed = bytearray(ciphertext(content, key))
    if damage == "tamper":
        sealed[HEADER_BYTES + RECORD_SIZE + 5] ^= 0x40
    elif damage == "truncate":
        del sealed[HEADER_BYTES + 2 * RECORD_SIZE :]
    else:
        one = slice(HEADER_BYTES, HEADER_BYTES + RECORD_SIZE)
        two = slice(HEADER_BYTES + RECORD_SIZE, HEADER_BYTES + 2 * RECORD_SIZE)
        sealed[one], sealed[two] = sealed[two], sealed[one]
    published = direct_upload(client, bytes(sealed), encrypted=True)
    link = f"{published['file_url_full']}#{key.fragment()}"
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    result = _fileshare(cli_env, "download", link, "-o", str(out_dir), cwd=out_dir)

    assert result.returncode == 1, result.stdout
    assert "decryption failed" in result.stdout
    assert "nothing was saved" in result.stdout
    assert list(out_dir.iterdir()) == []


def test_resumed_encrypted_upload_sends_only_missing_blocks(
    cli_env: dict[str, str], tmp_path: Path, storage: StorageProbe
) -> None:
    content = os.urandom(20 * MIB)
    source = tmp_path / "resume.bin"
    source.write_bytes(content)
    with slow_proxy(8 * MIB) as (proxy, seen):
        env = {**cli_env, "HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": ""}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "upload",
                str(source),
                "--encrypt",
                "--no-qr",
                "--concurrency",
                "1",
            ],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Once the second block is on its way the first is stored: stop the upload there, then
        # run the same command again.
        while sum(1 for s in seen if s.method == "PUT" and "comp=block&" in s.url) < 2:
            assert process.poll() is None
            time.sleep(0.01)
        process.kill()
        process.communicate()
        again = _fileshare(env, "upload", str(source), "--encrypt", "--no-qr")
    assert again.returncode == 0, again.stdout + again.stderr
    # Blocks storage holds are not sent again: the ciphertext is the same on every run.
    assert re.search(r"resumed: [12] of 3 blocks were already stored, sent [12]\b", again.stdout)
    out = tmp_path / "back.bin"
    down = _fileshare(cli_env, "download", _link(again.stdout), "-o", str(out))
    assert down.returncode == 0, down.stdout + down.stderr
    assert out.read_bytes() == content


def test_encrypted_link_without_its_key_says_what_is_missing(
    cli_env: dict[str, str], tmp_path: Path, client: httpx.Client
) -> None:
    published = direct_upload(client, ciphertext(b"x" * 100, LinkKey.new()), encrypted=True)

    result = _fileshare(cli_env, "download", published["file_url_full"], cwd=tmp_path)

    assert result.returncode == 1
    assert "the file is encrypted: give the whole link, with its #k=..." in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["config"] or list(tmp_path.iterdir()) == []


def test_encrypted_group_upload_with_expiry_is_listed_and_decrypts(
    client: httpx.Client, base_url: str, tmp_path: Path
) -> None:
    _, token = register(client)
    group = create_group(client, token)
    source = tmp_path / "minutes.txt"
    source.write_bytes(b"agreed: ship it\n" * 300)
    api = Api(Config(base_url, token))
    try:
        result = transfer.upload(
            api,
            source,
            options={"group_id": group, "expires_in": 600},
            state=State(tmp_path / "state.json"),
            encrypt=True,
            password="s3cret words",
        )
        file_url = result.published["file_url"]
        downloaded = transfer.download(
            api,
            file_url,
            output=tmp_path / "back.txt",
            force=False,
            state=State(tmp_path / "state.json"),
            key=LinkKey.from_fragment(result.fragment),
            password="s3cret words",
        )
    finally:
        api.close()

    assert file_url in files_of(client, token, group)
    assert result.published["user_filename"] == "encrypted.bin"
    assert result.fragment.endswith("&p=1")
    assert downloaded.path.read_bytes() == source.read_bytes()
