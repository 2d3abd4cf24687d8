"""Expiry under clock skew: the expiry an answer advertises is the one enforced, to the second,
and a cleanup whose clock runs ahead never deletes a file that is still valid."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.crashlab import CrashLab
from tests.utils.files import upload


def _advertised(body: dict[str, object]) -> datetime:
    return datetime.strptime(str(body["expires_at"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def test_file_is_served_until_the_advertised_second_and_not_after(
    lab_client: httpx.Client,
) -> None:
    while not 0.4 <= time.time() % 1 < 0.6:  # mid-second: truncating would hide ~half a second
        time.sleep(0.01)
    body = upload(lab_client, b"brief", params={"expires_in": "2"})
    expires_at = _advertised(body)

    _sleep_until(expires_at - timedelta(seconds=0.3))
    before = lab_client.get(f"/api/metadata/{body['file_url']}")
    _sleep_until(expires_at + timedelta(seconds=0.05))
    after = lab_client.get(f"/api/metadata/{body['file_url']}")

    assert before.status_code == 200
    assert after.status_code == 404
    assert after.json() == {"status": "error", "message": "File not found"}


def test_cleanup_with_a_clock_ahead_keeps_a_file_that_is_still_valid(
    lab: CrashLab, lab_client: httpx.Client
) -> None:
    body = upload(lab_client, b"still valid", params={"expires_in": "30"})
    expires_at = _advertised(body)

    lab.cleanup(expires_at + timedelta(seconds=1.21))  # a clock 2 s ahead, 0.79 s before expiry

    assert lab_client.get(f"/file/{body['file_url']}").content == b"still valid"
    assert lab.storage.blob_exists(body["file_url"])
    lab.cleanup(expires_at + CLOCK_SKEW_MARGIN + timedelta(seconds=1))
    assert lab.storage.file_row(body["file_url"]) is None
    assert not lab.storage.blob_exists(body["file_url"])
