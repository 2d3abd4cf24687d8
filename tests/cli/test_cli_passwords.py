"""`fileshare upload --password` and `fileshare download --password` against the local host."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cli.main import main

SECRET = "cli secret"


@pytest.fixture
def cli_env(base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILESHARE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FILESHARE_SERVER", base_url)
    monkeypatch.delenv("FILESHARE_TOKEN", raising=False)
    monkeypatch.delenv("FILESHARE_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)


def _upload(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> str:
    assert main(["upload", str(path), "--no-qr", *extra]) == 0
    output = capsys.readouterr().out
    return next(line.strip() for line in output.splitlines() if "/file/" in line)


def test_cli_upload_with_password_then_download_needs_it(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], client: httpx.Client
) -> None:
    source = tmp_path / "locked.txt"
    source.write_text("behind a password")
    link = _upload(capsys, source, "--password", SECRET)

    refused = main(["download", link, "-o", str(tmp_path / "no.txt")])
    refused_output = capsys.readouterr().out
    wrong = main(["download", link, "-o", str(tmp_path / "no.txt"), "--password", "nope"])
    wrong_output = capsys.readouterr().out
    right = main(["download", link, "-o", str(tmp_path / "yes.txt"), "--password", SECRET])

    assert client.get(link).status_code == 401
    assert refused == 1
    assert "needs a password" in refused_output
    assert wrong == 1
    assert "Wrong password (HTTP 401)" in wrong_output
    assert right == 0
    assert (tmp_path / "yes.txt").read_text() == "behind a password"
    assert not (tmp_path / "no.txt").exists()


def test_cli_bare_password_option_reads_the_environment(
    cli_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FILESHARE_PASSWORD", SECRET)
    source = tmp_path / "env.txt"
    source.write_text("from the environment")
    link = _upload(capsys, source, "--max-downloads", "1", "--password")

    code = main(["download", link, "-o", str(tmp_path / "got.txt"), "--password"])

    assert code == 0, capsys.readouterr().out
    assert (tmp_path / "got.txt").read_text() == "from the environment"
    assert client.get(link, auth=("", SECRET)).status_code == 404  # the one download was used
