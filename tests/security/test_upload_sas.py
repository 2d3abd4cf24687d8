"""A direct upload's write SAS: short, renewable, and unable to change a published file unseen.

Also: completion re-checks the group the upload was authorised for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobClient

from shared.ops.cleanup import CLOCK_SKEW_MARGIN
from tests.utils.accounts import auth, files_of, group_with_member
from tests.utils.direct import begin, complete, put_all, sas_params, stage
from tests.utils.storage import StorageProbe

# Cleanup acts on what fell due more than its clock-skew margin ago: run it that much later.
PAST_THE_MARGIN = CLOCK_SKEW_MARGIN + timedelta(seconds=5)
NOT_FOUND = {"status": "error", "message": "File not found"}


def _stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _published(client: httpx.Client, content: bytes, **options: Any) -> dict[str, Any]:
    """A completed direct upload's grant (its upload_url still valid)."""
    grant = begin(client, len(content), **options)
    put_all(grant, content)
    response = complete(client, grant)
    assert response.status_code == 200, response.text
    return grant


def _replace(grant: dict[str, Any], content: bytes) -> None:
    """What the holder of the upload SAS can do after completion: write the blob anew."""
    BlobClient.from_blob_url(grant["upload_url"]).upload_blob(content, overwrite=True)


def _wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.2)


def _ownerfiles(storage: StorageProbe, partition: str) -> list[str]:
    table = storage.tables.get_table_client("ownerfiles")
    return [e["file_url"] for e in table.query_entities(f"PartitionKey eq '{partition}'")]


# The write window: short by default, renewed on request, bounded in total --------------------


def test_upload_sas_lives_fifteen_minutes_by_default(client: httpx.Client) -> None:
    before = datetime.now(UTC)

    grant = begin(client, 4)

    expiry = _stamp(grant["expires_at"])
    assert timedelta(minutes=14) < expiry - before <= timedelta(minutes=15, seconds=1)
    assert _stamp(sas_params(grant["upload_url"])["se"]) == expiry


def test_status_renews_the_upload_sas_and_the_sweep_waits_for_it(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "4"
    grant = begin(client, 8, filename="slow.bin")
    stage(grant["upload_url"], b"slow", 4, [0])
    time.sleep(2)

    renewed = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]})

    assert renewed.status_code == 200
    state = renewed.json()
    assert _stamp(state["expires_at"]) > _stamp(grant["expires_at"])
    assert _stamp(sas_params(state["upload_url"])["se"]) == _stamp(state["expires_at"])
    _wait_until(_stamp(grant["expires_at"]))
    with pytest.raises(HttpResponseError) as expired:
        stage(grant["upload_url"], b"slowdata", 4, [1])
    assert expired.value.status_code == 403
    # The first SAS's entry is due, the renewed one's not yet: the renewed upload must survive.
    cleanup_at(datetime.now(UTC) + CLOCK_SKEW_MARGIN + timedelta(seconds=0.5))
    assert storage.blob_exists(grant["file_url"]) is False  # only uncommitted blocks so far
    fresh = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]}).json()
    assert [block["id"] for block in fresh["uncommitted"]] == ["00000000"]
    put_all({**grant, "upload_url": fresh["upload_url"]}, b"slowdata")
    assert complete(client, grant).status_code == 200
    assert client.get(f"/file/{grant['file_url']}").content == b"slowdata"


def test_upload_sas_renewal_stops_at_the_maximum_upload_time(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "60"
    settings_env["MAX_UPLOAD_SECONDS"] = "61"
    grant = begin(client, 4)
    time.sleep(2.1)

    state = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]}).json()

    renewed = _stamp(state["expires_at"])
    assert renewed <= _stamp(grant["expires_at"]) + timedelta(seconds=2)
    assert _stamp(sas_params(state["upload_url"])["se"]) == renewed


# A published file's bytes never change unseen -------------------------------------------------


@pytest.mark.parametrize("direct", ["0", "1"], ids=["streamed", "direct"])
def test_published_file_replaced_through_the_upload_sas_is_never_served_and_is_removed(
    client: httpx.Client, storage: StorageProbe, direct: str
) -> None:
    grant = _published(client, b"original", filename="v.bin")
    _replace(grant, b"REPLACED")

    response = client.get(f"/file/{grant['file_url']}", params={"direct": direct})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert client.get(f"/api/metadata/{grant['file_url']}").status_code == 404
    assert storage.file_row(grant["file_url"]) is None
    assert not storage.blob_exists(grant["file_url"])


def test_redirect_serves_the_published_bytes_even_if_the_blob_is_replaced_after_it(
    client: httpx.Client, settings_env: dict[str, str]
) -> None:
    grant = _published(client, b"published", filename="p.bin")

    response = client.get(f"/file/{grant['file_url']}", params={"direct": "1"})
    _replace(grant, b"REPLACED!")  # after the redirect's check, before the reader follows it

    assert response.status_code == 302
    assert sas_params(response.headers["location"])["sr"] == "bs"  # the published snapshot
    assert httpx.get(response.headers["location"]).content == b"published"


def test_blob_replaced_after_completion_is_swept_when_the_sas_expires(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "4"
    grant = _published(client, b"original", filename="r.bin")
    _replace(grant, b"REPLACED")

    _wait_until(_stamp(grant["expires_at"]))
    cleanup_at(datetime.now(UTC) + PAST_THE_MARGIN)

    assert storage.file_row(grant["file_url"]) is None
    assert not storage.blob_exists(grant["file_url"])
    assert client.get(f"/file/{grant['file_url']}").status_code == 404


def test_blob_written_through_the_upload_sas_after_delete_is_swept(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "4"
    grant = _published(client, b"original", filename="d.bin")
    deleted = client.get(f"/api/delete/{grant['file_url']}", params={"key": grant["key"]})
    assert deleted.status_code == 200
    _replace(grant, b"smuggled back")
    assert storage.blob_exists(grant["file_url"])

    _wait_until(_stamp(grant["expires_at"]))
    cleanup_at(datetime.now(UTC) + PAST_THE_MARGIN)

    assert not storage.blob_exists(grant["file_url"])


def test_untouched_direct_upload_survives_the_sweep_and_then_redirects(
    client: httpx.Client,
    storage: StorageProbe,
    settings_env: dict[str, str],
    cleanup_at: Callable[..., object],
) -> None:
    settings_env["UPLOAD_SAS_TTL_SECONDS"] = "4"
    grant = _published(client, b"kept", filename="k.bin")

    _wait_until(_stamp(grant["expires_at"]))
    cleanup_at(datetime.now(UTC) + PAST_THE_MARGIN)

    assert storage.file_row(grant["file_url"]) is not None
    response = client.get(f"/file/{grant['file_url']}", params={"direct": "1"})
    assert response.status_code == 302
    assert httpx.get(response.headers["location"]).content == b"kept"


# Completion re-checks the group ----------------------------------------------------------------


def _uploaded_to_group(client: httpx.Client, token: str, group_id: int) -> dict[str, Any]:
    """A direct upload into the group, committed but not yet completed."""
    grant = begin(client, 4, headers=auth(token), group_id=str(group_id))
    put_all(grant, b"late")
    return grant


def _discarded(client: httpx.Client, storage: StorageProbe, grant: dict[str, Any]) -> bool:
    gone = client.get(f"/api/uploads/{grant['file_url']}", params={"key": grant["key"]})
    return (
        gone.status_code == 404
        and storage.file_row(grant["file_url"]) is None
        and not storage.blob_exists(grant["file_url"])
    )


def test_member_who_left_cannot_complete_an_upload_into_the_group(
    client: httpx.Client, storage: StorageProbe
) -> None:
    owner, member, group_id = group_with_member(client)
    grant = _uploaded_to_group(client, member, group_id)
    assert client.post(f"/api/leave/{group_id}", headers=auth(member)).status_code == 200

    response = complete(client, grant)

    assert response.status_code == 403
    assert response.json() == {"status": "error", "message": "You are not in the group"}
    assert _discarded(client, storage, grant)
    assert files_of(client, owner, group_id) == []


def test_upload_into_a_deleted_group_is_refused_and_leaves_no_listing_row(
    client: httpx.Client, storage: StorageProbe
) -> None:
    owner, _, group_id = group_with_member(client)
    grant = _uploaded_to_group(client, owner, group_id)
    assert client.delete(f"/api/delete_group/{group_id}", headers=auth(owner)).status_code == 200

    response = complete(client, grant)

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Group not found"}
    assert _discarded(client, storage, grant)
    assert _ownerfiles(storage, f"g:{group_id}") == []
