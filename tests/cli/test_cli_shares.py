"""`fileshare upload a b c` makes one share; `fileshare download <share link>` fetches it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

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
