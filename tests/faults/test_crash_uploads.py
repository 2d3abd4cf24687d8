"""Crashes during uploads: the host dies at a named step (`kill -9`), a retry or the cleanup timer
finishes the job, and nobody ever holds a link to a file that is not there (docs/consistency.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.files.uploads import ORPHAN_GRACE
from tests.utils.accounts import auth, files_of, register
from tests.utils.crashlab import CrashLab
from tests.utils.direct import begin, complete, put_all
from tests.utils.files import upload
from tests.utils.settings import MIB

TRIALS = range(int(os.environ.get("CRASH_TRIALS", "1")))
# Past every upload's grace and the cleanup's clock-skew margin, before any test file expires.
AFTER_THE_GRACE = ORPHAN_GRACE + timedelta(minutes=5)
PAST_THE_SAS = timedelta(hours=2)  # a direct upload's SAS lives an hour (UPLOAD_SAS_TTL_SECONDS)
FORTY_DAYS = timedelta(days=40)
A_DAY = "86400"
CONTENT = os.urandom(5 * MIB)  # more than one 4 MiB block: blocks are staged before the commit


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize(
    "point",
    ["stream.block_staged", "upload.blob_stored", "upload.record_inserted", "upload.published"],
)
def test_upload_crash_before_the_answer_leaves_nothing_once_cleanup_ran(
    lab: CrashLab, lab_client: httpx.Client, point: str, trial: int
) -> None:
    _, token = register(lab_client)
    kept = upload(lab_client, b"kept", headers=auth(token), params={"expires_in": "86400"})
    before = lab.storage.footprint()

    lab.crash(
        point,
        lambda crashing: crashing.post(
            "/api/upload/private", files={"file": ("lost.bin", CONTENT)}, headers=auth(token)
        ),
    )
    lab.cleanup(_now() + AFTER_THE_GRACE)

    assert lab.storage.footprint() - before == set()
    assert files_of(lab_client, token) == [kept["file_url"]]
    assert lab_client.get(f"/file/{kept['file_url']}").content == b"kept"


def test_refused_upload_leaves_no_uncommitted_blocks(
    lab: CrashLab, lab_client: httpx.Client
) -> None:
    before = lab.storage.footprint()

    def oversized() -> Iterator[bytes]:
        for _ in range(10):  # past the 9 MiB limit, with two 4 MiB blocks staged by then
            yield os.urandom(MIB)

    response = lab_client.put("/api/upload/private/big.bin", content=oversized())

    assert response.status_code == 413
    assert response.json() == {"status": "error", "message": "File size exceeds the limit (9MB)"}
    assert lab.storage.footprint() - before == set()


@pytest.mark.parametrize("trial", TRIALS)
def test_direct_complete_crashed_after_its_claim_is_finished_by_a_retry(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    grant = begin(lab_client, len(CONTENT), filename="direct.bin", expires_in=A_DAY)
    put_all(grant, CONTENT)

    lab.crash("direct.claimed", lambda crashing: complete(crashing, grant))
    retried = complete(lab_client, grant)

    assert retried.status_code == 200, retried.text
    assert retried.json()["file_url"] == grant["file_url"]
    assert retried.json()["key"] == grant["key"]
    assert lab_client.get(f"/file/{grant['file_url']}").content == CONTENT
    lab.cleanup(_now() + PAST_THE_SAS)  # sweeps only what was abandoned
    assert lab_client.get(f"/file/{grant['file_url']}").content == CONTENT
    assert lab.storage.row("uploads", grant["file_url"], "upload") is None
    assert f"direct:{grant['file_url']}" not in lab.storage.expiry_rows()


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize("point", ["direct.published", "direct.row_deleted"])
def test_direct_complete_crashed_after_publishing_is_finished_by_a_retry(
    lab: CrashLab, lab_client: httpx.Client, point: str, trial: int
) -> None:
    grant = begin(lab_client, 3, filename="tiny.txt", expires_in=A_DAY)
    put_all(grant, b"abc")

    lab.crash(point, lambda crashing: complete(crashing, grant))
    retried = complete(lab_client, grant)

    assert retried.status_code == 200, retried.text
    assert retried.json()["key"] == grant["key"]
    assert lab_client.get(f"/file/{grant['file_url']}").content == b"abc"
    assert lab.storage.row("uploads", grant["file_url"], "upload") is None
    lab.cleanup(_now() + PAST_THE_SAS)  # drops what the crash left
    assert lab_client.get(f"/file/{grant['file_url']}").content == b"abc"
    assert f"direct:{grant['file_url']}" not in lab.storage.expiry_rows()


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize("point", ["direct.published", "direct.row_deleted"])
def test_direct_upload_crashed_after_publishing_then_deleted_is_gone_everywhere(
    lab: CrashLab, lab_client: httpx.Client, point: str, trial: int
) -> None:
    before = lab.storage.footprint()
    grant = begin(lab_client, 3, filename="gone.txt")
    put_all(grant, b"abc")

    lab.crash(point, lambda crashing: complete(crashing, grant))
    deleted = lab_client.get(f"/api/delete/{grant['file_url']}", params={"key": grant["key"]})
    status = lab_client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]})

    assert deleted.status_code == 200
    assert status.status_code == 404
    assert status.json() == {"status": "error", "message": "Upload not found"}
    lab.cleanup(_now() + FORTY_DAYS)
    assert lab.storage.footprint() - before == set()
