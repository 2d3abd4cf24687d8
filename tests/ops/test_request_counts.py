"""Storage round trips per small operation, counted at the SDK (shared/storage/metering.py).

Counts, never times: a phase is a request that had to wait for another's answer, and the count of
phases on the critical path is the same on every run. The targets are issue 17's and
docs/scale.md's table.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from shared.storage.metering import METER, Request, phases
from tests.utils.files import upload

SMALL = b"x" * 4096


@pytest.fixture
def warm(client: httpx.Client) -> None:
    """Tables and the container exist and connections are open before anything is counted."""
    body = upload(client, SMALL, filename="warm.bin")
    assert client.get(f"/file/{body['file_url']}").status_code == 200


@pytest.fixture
def recorded() -> Iterator[list[Request]]:
    with METER.recording() as log:
        yield log


def _download(client: httpx.Client, file_url: str) -> tuple[float, bytes]:
    """The moment the first byte arrived, and the body."""
    with client.stream("GET", f"/file/{file_url}") as response:
        assert response.status_code == 200
        chunks = response.iter_raw()
        first = next(chunks)
        arrived = time.monotonic()
        return arrived, first + b"".join(chunks)


@pytest.mark.usefixtures("warm")
def test_anonymous_upload_takes_four_phases_and_at_most_one_for_its_rate_limit(
    client: httpx.Client,
) -> None:
    with METER.recording() as log:
        response = client.put("/api/upload/private/small.bin", content=SMALL)
    assert response.status_code == 200
    # The rate limit asks storage only when this instance holds no reserved slot for the address
    # (shared/ops/ratelimit.py), so whether it does depends on the requests before this one.
    rate = [r for r in log if r.what.endswith("ratelimits")]
    assert len(rate) <= 1, log
    assert phases([r for r in log if r not in rate]) <= 4, log


@pytest.mark.usefixtures("warm")
def test_unlimited_download_takes_two_phases_before_the_first_byte(client: httpx.Client) -> None:
    body = upload(client, SMALL, filename="unlimited.bin")
    with METER.recording() as log:
        first_byte, content = _download(client, body["file_url"])
    assert content == SMALL
    assert phases(log, before=first_byte) <= 2, log


@pytest.mark.usefixtures("warm")
def test_one_time_download_takes_three_phases_before_the_first_byte(client: httpx.Client) -> None:
    body = upload(client, SMALL, filename="once.bin", data={"max_downloads": "1"})
    with METER.recording() as log:
        first_byte, content = _download(client, body["file_url"])
    assert content == SMALL
    assert phases(log, before=first_byte) <= 3, log


def test_phases_count_requests_that_waited_for_one_another() -> None:
    concurrent = [Request(0, 2, "a"), Request(1, 3, "b")]
    chained = [Request(0, 1, "a"), Request(1, 2, "b"), Request(2.5, 3, "c")]
    assert phases(concurrent) == 1
    assert phases(chained) == 3
    assert phases(chained, before=2) == 2
    assert phases([]) == 0
