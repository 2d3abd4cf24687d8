"""MAX_FILES_PER_USER: an account's oldest private files make room, and the upload says which."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.utils.accounts import auth, files_of, group_with_member, register
from tests.utils.files import upload
from tests.utils.storage import StorageProbe


def upload_as(
    client: httpx.Client, token: str, name: str, group: str = "private"
) -> dict[str, Any]:
    return upload(client, name.encode(), filename=name, group=group, headers=auth(token))


def counted(storage: StorageProbe, username: str) -> int:
    table = storage.tables.get_table_client("filecounts")
    return int(table.get_entity(f"u:{username.casefold()}", "private")["count"])


def assert_gone(client: httpx.Client, storage: StorageProbe, file_url: str) -> None:
    assert client.get(f"/file/{file_url}").status_code == 404
    assert not storage.blob_exists(file_url)
    assert storage.file_row(file_url) is None
    assert not any(row == f"file:{file_url}" for row in storage.expiry_rows())


def test_upload_over_limit_evicts_the_oldest_files(
    client: httpx.Client, storage: StorageProbe, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "3"
    _, token = register(client)

    uploads = [upload_as(client, token, f"file{n}.txt") for n in range(1, 6)]

    assert [u["evicted"] for u in uploads[:3]] == [[], [], []]
    assert uploads[3]["evicted"] == [
        {"file_url": uploads[0]["file_url"], "user_filename": "file1.txt"}
    ]
    assert uploads[4]["evicted"] == [
        {"file_url": uploads[1]["file_url"], "user_filename": "file2.txt"}
    ]
    assert files_of(client, token) == [u["file_url"] for u in reversed(uploads[2:])]
    for gone in uploads[:2]:
        assert_gone(client, storage, gone["file_url"])
    for kept in uploads[2:]:
        assert storage.blob_exists(kept["file_url"])
        assert client.get(f"/file/{kept['file_url']}").status_code == 200


def test_raw_upload_over_limit_evicts_too(
    client: httpx.Client, storage: StorageProbe, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "1"
    _, token = register(client)
    first = upload_as(client, token, "first.txt")

    response = client.put("/api/upload/private/second.txt", content=b"2", headers=auth(token))

    assert response.status_code == 200
    assert response.json()["evicted"] == [
        {"file_url": first["file_url"], "user_filename": "first.txt"}
    ]
    assert_gone(client, storage, first["file_url"])


def test_lowered_limit_evicts_several_at_once(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    _, token = register(client)
    old = [upload_as(client, token, f"old{n}.txt") for n in range(4)]
    settings_env["MAX_FILES_PER_USER"] = "2"

    newest = upload_as(client, token, "new.txt")

    assert [e["file_url"] for e in newest["evicted"]] == [u["file_url"] for u in old[:3]]
    assert files_of(client, token) == [newest["file_url"], old[3]["file_url"]]


def test_no_limit_by_default_never_evicts(client: httpx.Client, storage: StorageProbe) -> None:
    username, token = register(client)

    uploads = [upload_as(client, token, f"f{n}.txt") for n in range(4)]

    assert all(u["evicted"] == [] for u in uploads)
    assert len(files_of(client, token)) == 4
    assert counted(storage, username) == 4


def test_anonymous_uploads_answer_an_empty_evicted_list(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "1"

    uploads = [upload(client) for _ in range(3)]

    assert all(u["evicted"] == [] for u in uploads)
    assert all(client.get(f"/file/{u['file_url']}").status_code == 200 for u in uploads)


def test_group_uploads_neither_count_nor_evict_private_files(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "1"
    owner, _, group_id = group_with_member(client)
    private = upload_as(client, owner, "mine.txt")

    in_group = [upload_as(client, owner, f"g{n}.txt", group=str(group_id)) for n in range(3)]

    assert all(u["evicted"] == [] for u in in_group)
    assert files_of(client, owner) == [private["file_url"]]
    assert len(files_of(client, owner, group_id)) == 3


def test_deleted_files_free_their_place(client: httpx.Client, settings_env: dict[str, str]) -> None:
    settings_env["MAX_FILES_PER_USER"] = "2"
    _, token = register(client)
    a = upload_as(client, token, "a.txt")
    b = upload_as(client, token, "b.txt")
    client.get(f"/api/delete/{a['file_url']}", params={"key": a["key"]})

    c = upload_as(client, token, "c.txt")
    d = upload_as(client, token, "d.txt")

    assert c["evicted"] == []
    assert [e["file_url"] for e in d["evicted"]] == [b["file_url"]]
    assert files_of(client, token) == [d["file_url"], c["file_url"]]


def test_transferred_files_count_towards_the_limit(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "2"
    _, token = register(client)
    anonymous = upload(client, b"anon", filename="anon.txt")
    mine = upload_as(client, token, "mine.txt")
    transfer = client.post(
        "/api/transfer",
        json={"data": [{"file_url": anonymous["file_url"], "key": anonymous["key"]}]},
        headers=auth(token),
    )
    assert transfer.json()["unsuccess"] == []

    newest = upload_as(client, token, "newest.txt")

    assert [e["file_url"] for e in newest["evicted"]] == [anonymous["file_url"]]
    assert files_of(client, token) == [newest["file_url"], mine["file_url"]]


def test_concurrent_uploads_keep_the_limit_and_evict_each_file_once(
    client: httpx.Client, base_url: str, settings_env: dict[str, str]
) -> None:
    settings_env["MAX_FILES_PER_USER"] = "3"
    _, token = register(client)

    def one(n: int) -> dict[str, Any]:
        with httpx.Client(base_url=base_url, timeout=30) as own:
            return upload_as(own, token, f"c{n}.txt")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(10)))

    uploaded = {r["file_url"] for r in results}
    evicted = [e["file_url"] for r in results for e in r["evicted"]]
    remaining = files_of(client, token)
    assert len(remaining) == 3
    assert len(evicted) == len(set(evicted)) == 7
    assert set(evicted) | set(remaining) == uploaded
    assert not set(evicted) & set(remaining)
