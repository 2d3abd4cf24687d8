"""Crashes and races on sessions: a token refresh or logout interrupted by a crash can be retried,
and of a logout and a refresh racing with the same token exactly one wins."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.utils.accounts import assert_auth_error, auth, new_username, register
from tests.utils.crashlab import CrashLab

TRIALS = range(int(os.environ.get("CRASH_TRIALS", "1")))


def _refresh(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/api/refresh_token", json={"accessToken": token})


def _works(client: httpx.Client, token: str) -> bool:
    return client.get("/api/get_groups", headers=auth(token)).status_code == 200


def _sessions(lab: CrashLab, username: str) -> int:
    """Unrevoked tokens of `username` in storage, whether or not anyone received them."""
    rows = lab.storage.tables.get_table_client("tokens").query_entities(
        "username eq @name", parameters={"name": username}
    )
    return len(list(rows))


@pytest.mark.parametrize("trial", TRIALS)
def test_logout_racing_a_refresh_of_the_same_token_only_one_wins(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    _, token = register(lab_client)
    logged_out, refreshed = lab.race(
        "logout.verified",
        lambda stalled: stalled.post("/api/logout", headers=auth(token)),
        lambda: _refresh(lab_client, token),
    )

    assert refreshed.status_code == 200
    assert_auth_error(logged_out, -5)
    assert _works(lab_client, refreshed.json()["accessToken"])
    assert not _works(lab_client, token)


@pytest.mark.parametrize("trial", TRIALS)
def test_refresh_losing_to_a_logout_leaves_no_valid_token(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    username, token = register(lab_client, new_username("leaver"))
    refreshed, logged_out = lab.race(
        "refresh.issued",
        lambda stalled: _refresh(stalled, token),
        lambda: lab_client.post("/api/logout", headers=auth(token)),
    )

    assert logged_out.status_code == 200
    assert_auth_error(refreshed, -5)
    assert _sessions(lab, username) == 0


@pytest.mark.parametrize("trial", TRIALS)
def test_refresh_crashed_before_revoking_can_be_retried(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    _, token = register(lab_client)

    lab.crash("refresh.issued", lambda crashing: _refresh(crashing, token))
    retried = _refresh(lab_client, token)

    assert retried.status_code == 200
    assert _works(lab_client, retried.json()["accessToken"])
    assert_auth_error(lab_client.post("/api/logout", headers=auth(token)), -5)


@pytest.mark.parametrize("trial", TRIALS)
def test_logout_crashed_before_revoking_can_be_retried(
    lab: CrashLab, lab_client: httpx.Client, trial: int
) -> None:
    _, token = register(lab_client)

    lab.crash("logout.verified", lambda crashing: crashing.post("/api/logout", headers=auth(token)))
    retried = lab_client.post("/api/logout", headers=auth(token))

    assert retried.status_code == 200
    assert retried.json() == {"status": "success", "message": "logged out"}
    assert not _works(lab_client, token)
