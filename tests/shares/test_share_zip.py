"""GET /s/{share_id}/zip: one archive of every file, exact in length, resumable, counted once."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.utils.files import random_bytes
from tests.utils.shares import create_share, manifest
from tests.utils.storage import StorageProbe

# Larger than one 4 MiB block, so a file spans several blob reads.
_FILES = {
    "big.bin": random_bytes(5 * 1024 * 1024 + 123),
    "notes.txt": b"notes\n",
    "empty.txt": b"",
    "notes.TXT": b"same name, other case\n",
}


def _read(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return {name: opened.read(name) for name in opened.namelist()}


def test_zip_holds_every_file_with_an_exact_length(client: httpx.Client) -> None:
    share = create_share(client, _FILES, data={"title": "Holiday"})

    response = client.get(f"/s/{share['share_id']}/zip")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["accept-ranges"] == "bytes"
    assert 'filename="Holiday.zip"' in response.headers["content-disposition"]
    assert _read(response.content) == {
        "big.bin": _FILES["big.bin"],
        "notes.txt": b"notes\n",
        "empty.txt": b"",
        "notes (2).TXT": b"same name, other case\n",
    }


def test_head_gives_the_length_and_never_counts(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"abc"}, data={"max_downloads": "1"})

    head = client.head(f"/s/{share['share_id']}/zip")
    body = client.get(f"/s/{share['share_id']}/zip")

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(body.content))
    assert body.status_code == 200


def test_range_resumes_to_a_byte_identical_archive(client: httpx.Client) -> None:
    share = create_share(client, _FILES)
    url = f"/s/{share['share_id']}/zip"
    whole = client.get(url)
    etag = whole.headers["etag"]

    cuts = [0, 17, 30, 4 * 1024 * 1024 + 5, len(whole.content) - 10]
    parts = []
    for start, end in zip(cuts, [*cuts[1:], len(whole.content)], strict=True):
        part = client.get(url, headers={"Range": f"bytes={start}-{end - 1}", "If-Range": etag})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes {start}-{end - 1}/{len(whole.content)}"
        parts.append(part.content)

    assert b"".join(parts) == whole.content
    suffix = client.get(url, headers={"Range": "bytes=-10"})
    assert suffix.content == whole.content[-10:]


def test_if_range_with_another_etag_sends_the_whole_archive(client: httpx.Client) -> None:
    share = create_share(client, _FILES)
    url = f"/s/{share['share_id']}/zip"

    response = client.get(url, headers={"Range": "bytes=100-", "If-Range": '"other"'})

    assert response.status_code == 200
    assert _read(response.content)["notes.txt"] == b"notes\n"


def test_adding_a_file_changes_the_etag(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})
    url = f"/s/{share['share_id']}/zip"
    before = client.head(url).headers["etag"]

    client.post(
        f"/s/{share['share_id']}".replace("/s/", "/api/shares/") + "/files",
        params={"key": share["key"]},
        files={"file": ("b.txt", b"b")},
    )

    assert client.head(url).headers["etag"] != before
    stale = client.get(url, headers={"Range": "bytes=5-", "If-Range": before})
    assert stale.status_code == 200


def test_range_outside_the_archive_is_416(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"a"})

    response = client.get(f"/s/{share['share_id']}/zip", headers={"Range": "bytes=999999-"})

    assert response.status_code == 416


def test_empty_share_is_an_empty_archive(client: httpx.Client) -> None:
    share = client.post("/api/shares", json={}).json()

    response = client.get(f"/s/{share['share_id']}/zip")

    assert response.status_code == 200
    assert _read(response.content) == {}


def test_limited_share_zip_counts_and_ignores_range(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"abc"}, data={"max_downloads": "2"})
    url = f"/s/{share['share_id']}/zip"

    first = client.get(url, headers={"Range": "bytes=5-"})

    assert first.status_code == 200
    assert first.headers["accept-ranges"] == "none"
    assert first.headers["cache-control"] == "no-store"
    assert _read(first.content) == {"a.txt": b"abc"}
    assert manifest(client, share["share_id"]).json()["downloads_left"] == 1


def test_limited_share_prefetch_is_204_and_not_counted(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"abc"}, data={"max_downloads": "1"})
    url = f"/s/{share['share_id']}/zip"

    prefetch = client.get(url, headers={"Sec-Purpose": "prefetch"})

    assert prefetch.status_code == 204
    assert manifest(client, share["share_id"]).json()["downloads_left"] == 1


def test_limited_share_files_are_only_in_the_zip(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"abc"}, data={"max_downloads": "3"})

    response = client.get(f"/file/{share['files'][0]['file_url']}")

    assert response.status_code == 403
    assert response.json()["errorId"] == 31
    assert manifest(client, share["share_id"]).json()["downloads_left"] == 3


def test_one_time_share_is_served_exactly_once_under_concurrency(
    client: httpx.Client, storage: StorageProbe
) -> None:
    share = create_share(client, {"a.txt": b"abc", "b.txt": b"def"}, data={"max_downloads": "1"})
    url = f"{client.base_url}/s/{share['share_id']}/zip"

    def fetch(_: int) -> int:
        with httpx.Client(timeout=30) as own:
            return own.get(url).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(fetch, range(8)))

    assert statuses == [200] + [404] * 7
    assert manifest(client, share["share_id"]).status_code == 404
    # The share is removed as the download settles, just after its last byte left.
    deadline = time.monotonic() + 10
    while storage.rows("shares", share["share_id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert storage.rows("shares", share["share_id"]) == []
    for item in share["files"]:
        assert not storage.blob_exists(item["file_url"])


def test_unlimited_zip_downloads_are_counted_but_resumes_are_not(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"abc"})
    url = f"/s/{share['share_id']}/zip"

    client.get(url)
    client.get(url, headers={"Range": "bytes=3-"})
    client.head(url)

    assert manifest(client, share["share_id"]).json()["download_count"] == 1


@pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip is not installed")
def test_unzip_extracts_the_downloaded_archive(client: httpx.Client, tmp_path: Path) -> None:
    share = create_share(client, {"naïve.txt": b"unicode name\n", "b.bin": b"\x00\x01"})
    path = tmp_path / "share.zip"
    path.write_bytes(client.get(f"/s/{share['share_id']}/zip").content)

    tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    subprocess.run(["unzip", "-q", str(path), "-d", str(tmp_path / "out")], check=True)

    assert tested.returncode == 0, tested.stdout
    assert (tmp_path / "out" / "naïve.txt").read_bytes() == b"unicode name\n"


def test_zip_entry_names_never_leave_the_folder_they_are_unpacked_in(client: httpx.Client) -> None:
    share = create_share(
        client, {"../../etc/evil.txt": b"1", "C:\\Windows\\win.ini": b"2", "/abs.txt": b"3"}
    )

    archive = client.get(f"/s/{share['share_id']}/zip").content

    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.namelist() == ["evil.txt", "win.ini", "abs.txt"]


def test_if_none_match_is_304_and_not_counted(client: httpx.Client) -> None:
    share = create_share(client, {"a.txt": b"abc"})
    url = f"/s/{share['share_id']}/zip"
    etag = client.head(url).headers["etag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert manifest(client, share["share_id"]).json()["download_count"] == 0
