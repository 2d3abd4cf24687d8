"""Crashes while a share is created, filled or deleted: nothing is left half-visible, and a retry
or the cleanup timer finishes the job."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.utils.crashlab import CrashLab

TRIALS = range(int(os.environ.get("CRASH_TRIALS", "1")))
# Past ORPHAN_GRACE (15 minutes) and the cleanup's clock-skew margin.
PAST_THE_GRACE = timedelta(minutes=20)


def _now() -> datetime:
    return datetime.now(UTC)


def _create(client: httpx.Client) -> httpx.Response:
    return client.post(
        "/api/shares", files=[("file", ("a.txt", b"first")), ("file", ("b.txt", b"second"))]
    )


def _share(client: httpx.Client) -> dict[str, Any]:
    response = _create(client)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize(
    "point", ["share.blob_stored", "share.created", "share.file_inserted", "share.member_added"]
)
def test_unanswered_share_creation_leaves_nothing_after_cleanup(
    lab: CrashLab, point: str, trial: int
) -> None:
    before = lab.storage.footprint()

    lab.crash(point, _create)
    lab.cleanup(_now() + PAST_THE_GRACE)

    # No file, blob or member row of the request is left; a share row written before the crash
    # is empty, and nobody holds its link or key (it goes at its own expiry).
    assert lab.storage.footprint() == before


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize("point", ["share.file_inserted", "share.member_added"])
def test_unanswered_addition_leaves_the_share_as_it_was(
    lab: CrashLab, lab_client: httpx.Client, point: str, trial: int
) -> None:
    share = _share(lab_client)
    before = lab.storage.footprint()

    lab.crash(
        point,
        lambda crashing: crashing.post(
            f"/api/shares/{share['share_id']}/files",
            params={"key": share["key"]},
            files={"file": ("c.txt", b"third")},
        ),
    )
    lab.cleanup(_now() + PAST_THE_GRACE)

    assert lab.storage.footprint() == before
    listed = lab_client.get(f"/s/{share['share_id']}").json()["files"]
    assert [item["user_filename"] for item in listed] == ["a.txt", "b.txt"]


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize("repair", ["retry", "cleanup"])
@pytest.mark.parametrize("point", ["share.withdrawn", "share.files_removed"])
def test_share_delete_crashed_midway_is_finished_by_a_retry_or_cleanup(
    lab: CrashLab, lab_client: httpx.Client, point: str, repair: str, trial: int
) -> None:
    share = _share(lab_client)
    url = f"/api/shares/{share['share_id']}"

    lab.crash(point, lambda crashing: crashing.delete(url, params={"key": share["key"]}))

    # From the tombstone on, neither the share nor any of its files is served.
    assert lab_client.get(f"/s/{share['share_id']}").status_code == 404
    for item in share["files"]:
        assert lab_client.get(f"/file/{item['file_url']}").status_code == 404
    if repair == "retry":
        assert lab_client.delete(url, params={"key": share["key"]}).status_code == 200
    else:
        lab.cleanup(_now() + timedelta(minutes=2))
    assert lab.storage.share_rows(share["share_id"]) == []
    for item in share["files"]:
        assert lab.storage.file_row(item["file_url"]) is None
        assert not lab.storage.blob_exists(item["file_url"])
    assert not [key for key in lab.storage.expiry_rows() if share["share_id"] in key]
    assert lab_client.delete(url, params={"key": share["key"]}).status_code == 404
