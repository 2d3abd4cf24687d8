"""Expiry: expired files are unreachable at once, and the `cleanup` timer deletes what is due."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.files import run_cleanup, upload
from tests.utils.storage import CONTAINER, StorageProbe

Cleanup = Callable[..., list[dict[str, Any]]]
PAST_THE_MARGIN = CLOCK_SKEW_MARGIN + timedelta(seconds=5)


def _backdated_entry(storage: StorageProbe, row_key: str) -> None:
    """An index entry due long enough ago for any run of the timer to act on it."""
    due = datetime.now(UTC) - PAST_THE_MARGIN
    storage.tables.get_table_client("expiry").upsert_entity(
        {"PartitionKey": due.strftime("%Y%m%d%H%M"), "RowKey": row_key, "due_at": due}
    )


def test_expired_file_is_unreachable_then_removed_by_cleanup(
    client: httpx.Client, storage: StorageProbe, cleanup_at: Cleanup
) -> None:
    short = upload(client, b"brief", filename="brief.txt", params={"expires_in": "1"})
    lasting = upload(client, b"lasting", filename="lasting.txt")

    time.sleep(2)

    assert client.get(f"/file/{short['file_url']}").status_code == 404
    assert client.get(f"/api/metadata/{short['file_url']}").status_code == 404
    run_cleanup(client)
    assert storage.blob_exists(short["file_url"])  # within the clock-skew margin: still there

    cleanup_at(datetime.now(UTC) + PAST_THE_MARGIN)

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
    _backdated_entry(storage, f"upload:{orphan}")

    run_cleanup(client)

    assert not storage.blob_exists(orphan)
    assert f"upload:{orphan}" not in storage.expiry_rows()


def test_cleanup_deletes_a_published_upload_whose_answer_never_left(
    client: httpx.Client, storage: StorageProbe
) -> None:
    # What a process that died after publishing, before answering, leaves: its `upload` entry.
    body = upload(client, b"published", filename="p.txt")
    _backdated_entry(storage, f"upload:{body['file_url']}")

    run_cleanup(client)

    assert client.get(f"/file/{body['file_url']}").status_code == 404
    assert storage.file_row(body["file_url"]) is None
    assert not storage.blob_exists(body["file_url"])
    assert not any(body["file_url"] in key for key in storage.expiry_rows())


def test_two_cleanup_runs_at_once_delete_each_file_once(
    client: httpx.Client, storage: StorageProbe, cleanup_at: Cleanup
) -> None:
    expiring = [upload(client, b"x", params={"expires_in": "1"})["file_url"] for _ in range(10)]

    reports = cleanup_at(datetime.now(UTC) + PAST_THE_MARGIN, runs=2)

    assert len(reports) == 2
    assert sum(report["files_deleted"] for report in reports) >= len(expiring)
    assert not any(storage.blob_exists(url) for url in expiring)
    assert not any(storage.file_row(url) for url in expiring)
