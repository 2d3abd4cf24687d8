"""Storage round trips per small operation, counted at the SDK (shared/storage/metering.py).

Counts, never times: a phase is a request that had to wait for another's answer, and the count of
phases on the critical path is the same on every run. The targets are issue 17's and
docs/scale.md's table.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.storage.metering import METER, Request, marked, phases
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


def _download(client: httpx.Client, file_url: str, log: list[Request]) -> tuple[float, bytes]:
    """The moment the host handed the first byte to the server (its mark), and the body."""
    response = client.get(f"/file/{file_url}")
    assert response.status_code == 200
    first_byte = marked(log)
    assert first_byte is not None
    return first_byte, response.content


@pytest.mark.usefixtures("warm")
def test_anonymous_upload_takes_four_phases_and_at_most_one_for_its_rate_limit(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    # A limit of its own: no slots reserved under it yet, and the counter row is read afresh by
    # the first upload (other tests' cleanups run with clocks in the future and delete it).
    settings_env["UPLOAD_RATE_LIMIT_PER_MINUTE"] = "6400"
    assert client.put("/api/upload/private/first.bin", content=SMALL).status_code == 200
    with METER.recording() as log:
        response = client.put("/api/upload/private/small.bin", content=SMALL)
    assert response.status_code == 200
    # The rate limit asks storage only when this instance holds no reserved slot for the address
    # (shared/ops/ratelimit.py): one conditional write on the ETag it holds, or none.
    rate = [r for r in log if r.what.endswith("ratelimits")]
    assert len(rate) <= 1, log
    assert phases([r for r in log if r not in rate]) <= 4, log


@pytest.mark.usefixtures("warm")
def test_unlimited_download_takes_two_phases_before_the_first_byte(client: httpx.Client) -> None:
    body = upload(client, SMALL, filename="unlimited.bin")
    with METER.recording() as log:
        first_byte, content = _download(client, body["file_url"], log)
    assert content == SMALL
    assert phases(log, before=first_byte) <= 2, log


@pytest.mark.usefixtures("warm")
def test_one_time_download_takes_three_phases_before_the_first_byte(client: httpx.Client) -> None:
    body = upload(client, SMALL, filename="once.bin", data={"max_downloads": "1"})
    with METER.recording() as log:
        first_byte, content = _download(client, body["file_url"], log)
    assert content == SMALL
    assert phases(log, before=first_byte) <= 3, log


def test_phases_count_requests_that_waited_for_one_another() -> None:
    concurrent = [Request(0, 2, "a"), Request(1, 3, "b")]
    chained = [Request(0, 1, "a"), Request(1, 2, "b"), Request(2.5, 3, "c")]
    assert phases(concurrent) == 1
    assert phases(chained) == 3
    assert phases(chained, before=2) == 2
    assert phases([]) == 0
    assert phases([*chained, Request(1.5, 1.5, "mark:first byte")]) == 3
    assert marked([*chained, Request(1.5, 1.5, "mark:first byte")]) == 1.5
