"""Crashes and races while files go away: deletes, group deletes and transfers finish (by a retry
or the cleanup timer) and never leave a file served or listed that its owner was told is gone."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.utils.accounts import auth, create_group, files_of, new_username, register
from tests.utils.crashlab import CrashLab
from tests.utils.files import upload

TRIALS = range(int(os.environ.get("CRASH_TRIALS", "1")))
# Past the cleanup's clock-skew margin: what a crash left is due by then.
NEXT_RUNS = timedelta(minutes=10)
GROUP_NOT_FOUND = {"status": "error", "message": "Group not found"}


def _now() -> datetime:
    return datetime.now(UTC)


def _delete(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return client.get(f"/api/delete/{body['file_url']}", params={"key": body["key"]})


def _gone(lab: CrashLab, file_url: str) -> None:
    """Nothing of the file is left anywhere: record, bytes, listing rows, index entries."""
    assert lab.storage.file_row(file_url) is None
    assert not lab.storage.blob_exists(file_url)
    assert lab.storage.listed(file_url) == set()
    assert not [key for key in lab.storage.expiry_rows() if key.endswith(f":{file_url}")]


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize("repair", ["retry", "cleanup"])
@pytest.mark.parametrize("point", ["delete.withdrawn", "delete.blob_deleted"])
def test_delete_crashed_midway_is_finished_by_a_retry_or_cleanup(
    lab: CrashLab, lab_client: httpx.Client, point: str, repair: str, trial: int
) -> None:
    _, token = register(lab_client)
    body = upload(lab_client, b"to delete", headers=auth(token))

    lab.crash(point, lambda crashing: _delete(crashing, body))

    # Whatever the crash left, a file that is served is in its owner's listing.
    if lab_client.get(f"/file/{body['file_url']}").status_code == 200:
        assert files_of(lab_client, token) == [body["file_url"]]
    if repair == "retry":
        retried = _delete(lab_client, body)
        assert retried.status_code == 200
        assert retried.json() == {"status": "success", "message": "File deleted successfully"}
    else:
        lab.cleanup(_now() + NEXT_RUNS)
    assert lab_client.get(f"/file/{body['file_url']}").status_code == 404
    assert files_of(lab_client, token) == []
    _gone(lab, body["file_url"])
    assert _delete(lab_client, body).status_code == 404


@pytest.mark.parametrize("trial", TRIALS)
@pytest.mark.parametrize("repair", ["retry", "cleanup"])
@pytest.mark.parametrize("point", ["group_delete.tombstoned", "group_delete.files_removed"])
def test_group_delete_crashed_midway_is_finished_by_a_retry_or_cleanup(
    lab: CrashLab, lab_client: httpx.Client, point: str, repair: str, trial: int
) -> None:
    _, owner = register(lab_client)
    group_id = create_group(lab_client, owner)
    files = [upload(lab_client, b"in group", group=str(group_id), headers=auth(owner))]
    files.append(upload(lab_client, b"also", group=str(group_id), headers=auth(owner)))

    lab.crash(
        point,
        lambda crashing: crashing.delete(f"/api/delete_group/{group_id}", headers=auth(owner)),
    )

    for body in files:  # the group is deleted from the first step on, and its files with it
        assert lab_client.get(f"/file/{body['file_url']}").status_code == 404
    listed = lab_client.get(f"/api/get_files/{group_id}", headers=auth(owner))
    assert listed.status_code == 404
    assert listed.json() == GROUP_NOT_FOUND
    if repair == "retry":
        retried = lab_client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))
        assert retried.status_code == 200
        assert retried.json() == {"status": "success", "message": "deleted"}
    else:
        lab.cleanup(_now() + NEXT_RUNS)
    for body in files:
        _gone(lab, body["file_url"])
    assert lab.storage.row("groups", str(group_id), "group") is None
    assert lab.storage.rows("memberships", f"g:{group_id}") == []
    assert not [key for key in lab.storage.expiry_rows() if key == f"group:{group_id}"]
    again = lab_client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))
    assert again.status_code == 404


def test_group_delete_during_an_upload_to_it_leaves_no_file_of_the_group(
    lab: CrashLab, lab_client: httpx.Client
) -> None:
    _, owner = register(lab_client)
    group_id = create_group(lab_client, owner)
    entries_before = lab.storage.expiry_rows()
    go_on = threading.Event()
    boundary = "crashlab-boundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="late.txt"\r\nContent-Type: text/plain\r\n\r\nfirst half, '
        ).encode()
        go_on.wait(timeout=30)
        yield f"second half\r\n--{boundary}--\r\n".encode()

    answers: list[httpx.Response] = []

    def send() -> None:
        with lab.clean.client() as http:
            answers.append(
                http.post(
                    f"/api/upload/{group_id}",
                    content=body(),
                    headers={
                        **auth(owner),
                        "Content-Type": f"multipart/form-data; boundary={boundary}",
                    },
                )
            )

    uploading = threading.Thread(target=send)
    uploading.start()
    try:
        file_url = _new_upload_entry(lab, entries_before)  # the upload is past its group check
        deleted = lab_client.delete(f"/api/delete_group/{group_id}", headers=auth(owner))
        assert deleted.status_code == 200
    finally:
        go_on.set()
        uploading.join()

    (answer,) = answers
    assert answer.status_code == 404, answer.text
    assert answer.json() == GROUP_NOT_FOUND
    assert lab_client.get(f"/file/{file_url}").status_code == 404
    _gone(lab, file_url)


def _new_upload_entry(lab: CrashLab, before: set[str]) -> str:
    """The file_url of the streamed upload whose `upload` index entry appeared since `before`."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        new = [key for key in lab.storage.expiry_rows() - before if key.startswith("upload:")]
        if new:
            return new[0].removeprefix("upload:")
        time.sleep(0.02)
    raise AssertionError("the upload never began")


@pytest.mark.parametrize("trial", TRIALS)
def test_delete_racing_a_transfer_leaves_no_listing_row(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    body = upload(lab_client, b"anonymous")
    _, token = register(lab_client)
    item = {"file_url": body["file_url"], "key": body["key"]}
    answer, deleted = lab.race(
        "transfer.owner_assigned",
        lambda stalled: stalled.post("/api/transfer", json={"data": [item]}, headers=auth(token)),
        lambda: _delete(lab_client, body),
    )

    assert deleted.status_code == 200
    assert answer.status_code == 200
    assert answer.json()["unsuccess"] == [item]
    assert files_of(lab_client, token) == []
    _gone(lab, body["file_url"])


@pytest.mark.parametrize("trial", TRIALS)
def test_transfer_crashed_after_taking_ownership_is_finished_by_a_retry(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    body = upload(lab_client, b"mine now")
    username, token = register(lab_client, new_username("heir"))
    data = {"data": [{"file_url": body["file_url"], "key": body["key"]}]}

    lab.crash(
        "transfer.owner_assigned",
        lambda crashing: crashing.post("/api/transfer", json=data, headers=auth(token)),
    )
    retried = lab_client.post("/api/transfer", json=data, headers=auth(token))

    assert retried.status_code == 200
    assert retried.json() == {"status": "success", "message": "transferred", "unsuccess": []}
    assert files_of(lab_client, token) == [body["file_url"]]
    assert lab.storage.file_row(body["file_url"])["owner"] == username  # type: ignore[index]
