"""`fileshare upload a b c` makes one share; `fileshare download <share link>` fetches it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cli.main import main
from tests.cli.test_cli import cli_env  # noqa: F401 - the fixture
from tests.utils.payload import write_random_file
from tests.utils.settings import MIB


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _share_link(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if "/s/" in line)


def _files(tmp_path: Path) -> list[Path]:
    a = tmp_path / "a.txt"
    a.write_text("first\n")
    b = tmp_path / "b.bin"
    write_random_file(b, 9 * MIB + 3)
    c = tmp_path / "sub" / "a.txt"  # the same name again
    c.parent.mkdir()
    c.write_text("second\n")
    return [a, b, c]


@pytest.mark.usefixtures("cli_env")
def test_cli_uploads_several_files_as_one_share_and_downloads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path)

    code, out = _run(capsys, "upload", *map(str, files), "--title", "Trip", "--no-qr")
    link = _share_link(out)
    got, _ = _run(capsys, "download", link, "-o", str(tmp_path / "got"))

    assert code == 0
    assert "key: " in out
    assert got == 0
    assert (tmp_path / "got" / "a.txt").read_text() == "first\n"
    assert (tmp_path / "got" / "b.bin").read_bytes() == files[1].read_bytes()
    assert (tmp_path / "got" / "a (2).txt").read_text() == "second\n"


@pytest.mark.usefixtures("cli_env")
def test_cli_downloads_a_share_as_one_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path)
    _, out = _run(capsys, "upload", *map(str, files), "--title", "Trip", "--no-qr")

    code, _ = _run(capsys, "download", _share_link(out), "--zip")

    assert code == 0
    with zipfile.ZipFile(tmp_path / "Trip.zip") as opened:
        assert opened.testzip() is None
        assert opened.namelist() == ["a.txt", "b.bin", "a (2).txt"]
        assert opened.read("b.bin") == files[1].read_bytes()


@pytest.mark.usefixtures("cli_env")
def test_cli_one_time_share_comes_as_its_zip_unpacked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path)
    _, out = _run(capsys, "upload", *map(str, files), "--max-downloads", "1", "--no-qr")
    link = _share_link(out)

    code, _ = _run(capsys, "download", link, "-o", str(tmp_path / "got"))
    again, err = _run(capsys, "download", link, "-o", str(tmp_path / "again"))

    assert code == 0
    assert (tmp_path / "got" / "a (2).txt").read_text() == "second\n"
    assert (tmp_path / "got" / "b.bin").read_bytes() == files[1].read_bytes()
    assert not list((tmp_path / "got").glob(".*"))
    assert again == 1
    assert "Share not found" in err


@pytest.mark.usefixtures("cli_env")
def test_cli_share_with_a_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, _, second = _files(tmp_path)
    files = [first, second]
    _, out = _run(capsys, "upload", *map(str, files), "--password", "pw1234", "--no-qr")
    link = _share_link(out)

    refused, message = _run(capsys, "download", link, "-o", str(tmp_path / "no"))
    code, _ = _run(capsys, "download", link, "--password", "pw1234", "-o", str(tmp_path / "yes"))

    assert refused == 1
    assert "password" in message
    assert code == 0
    assert (tmp_path / "yes" / "a.txt").read_text() == "first\n"
