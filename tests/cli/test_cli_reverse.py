"""`fileshare reverse`: create an upload link, list it with what it received, revoke it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cli.main import main
from cli.reverse import size
from tests.utils.accounts import auth, register
from tests.utils.reverse import send


@pytest.fixture
def cli_env(base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILESHARE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FILESHARE_SERVER", base_url)
    monkeypatch.delenv("FILESHARE_PASSWORD", raising=False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.mark.usefixtures("cli_env")
def test_cli_reverse_create_list_and_revoke(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, client: httpx.Client
) -> None:
    _, token = register(client)
    monkeypatch.setenv("FILESHARE_TOKEN", token)

    created_code, created = _run(
        capsys, "reverse", "create", "--files", "2", "--size", "1M", "--password", "pw"
    )
    upload_url = created.splitlines()[0].strip()
    link_id = upload_url.rsplit("/", 1)[-1]
    assert send(client, link_id, b"abc", password="pw").status_code == 200
    listed_code, listed = _run(capsys, "reverse", "list")
    revoked_code, revoked = _run(capsys, "reverse", "revoke", link_id)

    assert (created_code, listed_code, revoked_code) == (0, 0, 0)
    assert upload_url.endswith(f"/r/{link_id}")
    assert "2 files, 1MB, until " in created
    assert link_id in listed
    assert "1/2" in listed
    assert revoked.strip() == f"revoked {link_id}"
    assert send(client, link_id, password="pw").status_code == 404
    assert client.get("/api/reverse_shares", headers=auth(token)).json()["data"] == []


@pytest.mark.usefixtures("cli_env")
def test_cli_reverse_revoke_of_an_unknown_link_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, client: httpx.Client
) -> None:
    monkeypatch.setenv("FILESHARE_TOKEN", register(client)[1])

    code, out = _run(capsys, "reverse", "rm", "AAAAAAAAAAAAAAAA")

    assert code == 1
    assert "Upload link not found (HTTP 404)" in out


@pytest.mark.parametrize(
    ("text", "expected"), [("500", 500), ("2K", 2048), ("100M", 100 * 1024**2), ("1GiB", 1024**3)]
)
def test_size_reads_powers_of_1024(text: str, expected: int) -> None:
    assert size(text) == expected
