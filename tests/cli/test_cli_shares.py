"""`fileshare upload a b c` makes one share; `fileshare download <share link>` fetches it."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli import transfer
from cli.api import Api
from cli.state import PartialDownload, State
from tests.cli.test_cli import _run, cli_env  # noqa: F401 - the fixture
from tests.utils.payload import write_random_file
from tests.utils.settings import MIB

pytestmark = pytest.mark.usefixtures("cli_env")


def _shared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[list[Path], str]:
    """Three files (one 9 MiB, two of the same name) uploaded as one share; the share's link."""
    a = tmp_path / "a.txt"
    a.write_text("first\n")
    b = tmp_path / "b.bin"
    write_random_file(b, 9 * MIB + 3)
    c = tmp_path / "sub" / "a.txt"
    c.parent.mkdir()
    c.write_text("second\n")
    code, out = _run(capsys, "upload", str(a), str(b), str(c), "--no-qr", *options)
    assert code == 0, out
    assert "key: " in out
    return [a, b, c], next(line.strip() for line in out.splitlines() if "/s/" in line)


def test_cli_uploads_several_files_as_one_share_and_downloads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files, link = _shared(tmp_path, capsys, "--title", "Trip")

    code, _ = _run(capsys, "download", link, "-o", str(tmp_path / "got"))

    assert code == 0
    assert (tmp_path / "got" / "a.txt").read_text() == "first\n"
    assert (tmp_path / "got" / "b.bin").read_bytes() == files[1].read_bytes()
    assert (tmp_path / "got" / "a (2).txt").read_text() == "second\n"


def test_cli_downloads_a_share_as_one_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files, link = _shared(tmp_path, capsys, "--title", "Trip")

    code, _ = _run(capsys, "download", link, "--zip")

    assert code == 0
    with zipfile.ZipFile(tmp_path / "Trip.zip") as opened:
        assert opened.testzip() is None
        assert opened.namelist() == ["a.txt", "b.bin", "a (2).txt"]
        assert opened.read("b.bin") == files[1].read_bytes()


def test_cli_one_time_share_comes_as_its_zip_unpacked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files, link = _shared(tmp_path, capsys, "--max-downloads", "1")

    code, _ = _run(capsys, "download", link, "-o", str(tmp_path / "got"))
    again, err = _run(capsys, "download", link, "-o", str(tmp_path / "again"))

    assert code == 0
    assert (tmp_path / "got" / "a (2).txt").read_text() == "second\n"
    assert (tmp_path / "got" / "b.bin").read_bytes() == files[1].read_bytes()
    assert not list((tmp_path / "got").glob(".*"))
    assert again == 1
    assert "Share not found" in err


def test_cli_share_with_a_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, link = _shared(tmp_path, capsys, "--password", "pw1234")

    refused, message = _run(capsys, "download", link, "-o", str(tmp_path / "no"))
    code, _ = _run(capsys, "download", link, "--password", "pw1234", "-o", str(tmp_path / "yes"))

    assert refused == 1
    assert "password" in message
    assert code == 0
    assert (tmp_path / "yes" / "a.txt").read_text() == "first\n"


def test_cli_continues_an_interrupted_share_upload_in_the_same_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("first\n")
    b.write_text("second\n")
    real_upload = transfer.upload

    def broken_on_b(api: Api, path: Path, **options: Any) -> transfer.UploadResult:
        if path.name == "b.txt":
            raise KeyboardInterrupt
        return real_upload(api, path, **options)

    monkeypatch.setattr(transfer, "upload", broken_on_b)
    interrupted, _ = _run(capsys, "upload", str(a), str(b), "--no-qr")
    monkeypatch.setattr(transfer, "upload", real_upload)
    code, out = _run(capsys, "upload", str(a), str(b), "--no-qr")

    assert interrupted == 130
    assert code == 0
    assert "already in the share: a.txt" in out
    link = next(line.strip() for line in out.splitlines() if "/s/" in line)
    listed = httpx.get(link, headers={"Accept": "application/json"}).json()
    assert [f["user_filename"] for f in listed["files"]] == ["a.txt", "b.txt"]


def test_cli_resumes_a_broken_zip_download(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    files, link = _shared(tmp_path, capsys, "--title", "Resume")
    share_id = link.rsplit("/", 1)[-1]
    whole = httpx.get(f"{link}/zip")
    target = tmp_path / "Resume.zip"
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(whole.content[: len(whole.content) // 2])
    State().remember_download(
        partial, PartialDownload(base_url, f"s/{share_id}", whole.headers["etag"])
    )

    code, _ = _run(capsys, "download", link, "--zip")

    assert code == 0
    assert target.read_bytes() == whole.content
    assert not partial.exists()
    with zipfile.ZipFile(target) as opened:
        assert opened.read("b.bin") == files[1].read_bytes()
