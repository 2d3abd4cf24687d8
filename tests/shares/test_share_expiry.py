"""A share expires as one item: unreachable at once, then removed with its files by cleanup."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.shares import create_share, manifest
from tests.utils.storage import StorageProbe

Cleanup = Callable[..., list[dict[str, Any]]]


def test_expired_share_is_unreachable_then_removed_with_its_files(
    client: httpx.Client, storage: StorageProbe, cleanup_at: Cleanup
) -> None:
    share = create_share(client, {"a.txt": b"a", "b.txt": b"b"}, params={"expires_in": "1"})
    lasting = create_share(client, {"c.txt": b"c"})
    file_urls = [f["file_url"] for f in share["files"]]
    # The share's one entry: its files have none of their own, and their uploads are answered.
    entries = {key for key in storage.expiry_rows() if share["share_id"] in key}
    assert entries == {f"share:{share['share_id']}"}
    assert not any(url in key for url in file_urls for key in storage.expiry_rows())

    time.sleep(2)

    assert manifest(client, share["share_id"]).status_code == 404
    assert client.get(f"/s/{share['share_id']}/zip").status_code == 404
    for file_url in file_urls:
        assert client.get(f"/file/{file_url}").status_code == 404
    [report] = cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=5))
    assert report["shares_deleted"] >= 1
    assert storage.rows("shares", share["share_id"]) == []
    for file_url in file_urls:
        assert storage.file_row(file_url) is None
        assert not storage.blob_exists(file_url)
    assert not any(share["share_id"] in key for key in storage.expiry_rows())
    assert manifest(client, lasting["share_id"]).status_code == 200


def test_unanswered_share_files_are_removed_by_cleanup(
    client: httpx.Client, storage: StorageProbe, cleanup_at: Cleanup
) -> None:
    """A crash after a file joined the share but before the answer: its `upload` entry is due
    in 15 minutes, and the file leaves the share with its record and blob."""
    share = create_share(client, {"a.txt": b"a"})
    file_url = share["files"][0]["file_url"]
    storage.tables.get_table_client("expiry").upsert_entity(
        {
            "PartitionKey": "202001010000",
            "RowKey": f"upload:{file_url}",
            "due_at": datetime(2020, 1, 1, tzinfo=UTC),
        }
    )

    cleanup_at(datetime.now(UTC))

    assert manifest(client, share["share_id"]).json()["files"] == []
    assert storage.file_row(file_url) is None
    assert not storage.blob_exists(file_url)
