"""What the server does with a file the client encrypted: it only stores and serves it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cli.encryption import LinkKey
from shared.errors import BeingScanned
from shared.files.download_plan import DownloadRequest, Kind, plan_download
from shared.files.records import ENCRYPTED_NAME, ENCRYPTED_TYPE, FileRecord
from tests.utils.direct import direct_upload
from tests.utils.encryption import ciphertext

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_encrypted_upload_is_stored_under_a_neutral_name_and_type(client: httpx.Client) -> None:
    sealed = ciphertext(b"https://example.com/\n", LinkKey.new(), name="link.txt")
    body = direct_upload(client, sealed, filename="link.txt", encrypted=True, include_ext=True)

    meta = client.get(f"/api/metadata/{body['file_url']}").json()

    assert body["encrypted"] is True
    assert body["user_filename"] == "encrypted.bin"
    assert "." not in body["file_url"]  # include_ext is ignored: the extension is secret
    assert meta["encrypted"] is True
    assert meta["original_name"] == "encrypted.bin"
    assert meta["content_type"] == "application/octet-stream"
    assert meta["file_size"] == len(sealed)


def test_browser_gets_the_decrypt_page_and_clients_the_ciphertext(client: httpx.Client) -> None:
    sealed = ciphertext(b"https://example.com/\n", LinkKey.new(), name="link.txt")
    body = direct_upload(client, sealed, encrypted=True, max_downloads=2)
    link = f"/file/{body['file_url']}"

    page = client.get(link, headers={"Accept": HTML})
    raw = client.get(link)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "worker-src 'self'" in page.headers["content-security-policy"]
    assert "/static/decrypt.js" in page.text
    assert raw.status_code == 200  # never a shortener's redirect, never inline
    assert raw.content == sealed
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"].startswith("attachment")
    meta = client.get(f"/api/metadata/{body['file_url']}").json()
    assert meta["download_count"] == 1  # the page counted nothing


def test_plain_uploads_are_not_marked_encrypted(client: httpx.Client) -> None:
    body = direct_upload(client, b"plain", filename="a.txt")
    assert body["encrypted"] is False
    assert client.get(f"/api/metadata/{body['file_url']}").json()["encrypted"] is False


def test_decrypt_worker_is_served_with_its_scope_path(client: httpx.Client) -> None:
    response = client.get("/decrypt/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert 'importScripts("/static/crypto.js")' in response.text


def test_encrypted_files_wait_for_no_malware_verdict() -> None:
    """A scanner sees only ciphertext: an encrypted file is served without a verdict."""
    now = datetime(2026, 12, 2, tzinfo=UTC)
    record = FileRecord(
        "AbCdEfGhIjKlMnOp", "key", ENCRYPTED_NAME, ".bin", ENCRYPTED_TYPE, 100,
        now, now + timedelta(hours=1), None, 0, '"etag"', encrypted=True,
    )  # fmt: skip
    request = DownloadRequest(record.file_url)
    scanned = {"malware_scanning": True, "scan_verdict": None, "direct_above": 10**9}

    plan = plan_download(record, request, **scanned)  # type: ignore[arg-type]

    assert plan.kind is Kind.STREAM
    assert plan.headers["Content-Disposition"].startswith("attachment")
    with pytest.raises(BeingScanned):
        plan_download(replace(record, encrypted=False), request, **scanned)  # type: ignore[arg-type]
