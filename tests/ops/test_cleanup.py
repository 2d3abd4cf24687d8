"""Expiry: expired files are unreachable at once, and the `cleanup` timer deletes what is due."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.utils.files import run_cleanup, upload
from tests.utils.storage import CONTAINER, StorageProbe


def test_expired_file_is_unreachable_then_removed_by_cleanup(
    client: httpx.Client, storage: StorageProbe
) -> None:
    short = upload(client, b"brief", filename="brief.txt", params={"expires_in": "1"})
    lasting = upload(client, b"lasting", filename="lasting.txt")

    time.sleep(2)

    assert client.get(f"/file/{short['file_url']}").status_code == 404
    assert client.get(f"/api/metadata/{short['file_url']}").status_code == 404
    assert storage.blob_exists(short["file_url"])  # still there until the timer runs

    run_cleanup(client)

    assert not storage.blob_exists(short["file_url"])
    assert storage.file_row(short["file_url"]) is None
    assert not any(short["file_url"] in key for key in storage.expiry_rows())
    assert client.get(f"/file/{lasting['file_url']}").content == b"lasting"
    assert storage.blob_exists(lasting["file_url"])


def test_cleanup_sweeps_blob_of_an_interrupted_upload(
    client: httpx.Client, storage: StorageProbe
) -> None:
    # What a process that died after committing the blob, before writing the record, leaves.
    orphan = "OrphanBlob000001"
    storage.blobs.get_blob_client(CONTAINER, f"f/{orphan}").upload_blob(b"partial", overwrite=True)
    due = datetime.now(UTC) - timedelta(minutes=1)
    storage.tables.get_table_client("expiry").upsert_entity(
        {"PartitionKey": due.strftime("%Y%m%d%H%M"), "RowKey": f"upload:{orphan}", "due_at": due}
    )

    run_cleanup(client)

    assert not storage.blob_exists(orphan)
    assert f"upload:{orphan}" not in storage.expiry_rows()


def test_cleanup_keeps_a_published_file_whose_upload_entry_remained(
    client: httpx.Client, storage: StorageProbe
) -> None:
    body = upload(client, b"published", filename="p.txt")
    due = datetime.now(UTC) - timedelta(minutes=1)
    storage.tables.get_table_client("expiry").upsert_entity(
        {
            "PartitionKey": due.strftime("%Y%m%d%H%M"),
            "RowKey": f"upload:{body['file_url']}",
            "due_at": due,
        }
    )

    run_cleanup(client)

    assert client.get(f"/file/{body['file_url']}").content == b"published"
    assert f"upload:{body['file_url']}" not in storage.expiry_rows()


def test_two_cleanup_runs_at_once_both_succeed(client: httpx.Client, storage: StorageProbe) -> None:
    expiring = [upload(client, b"x", params={"expires_in": "1"})["file_url"] for _ in range(10)]
    time.sleep(2)
    statuses: list[int] = []

    def run() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as own:
            statuses.append(own.post("/admin/functions/cleanup", json={"input": ""}).status_code)

    runners = [threading.Thread(target=run) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()

    assert statuses == [202, 202]
    assert not any(storage.blob_exists(url) for url in expiring)
    assert not any(storage.file_row(url) for url in expiring)
