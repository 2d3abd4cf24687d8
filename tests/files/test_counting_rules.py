"""The pure rules of download counting (shared/files/counting.py): leases and give-backs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from shared.files.counting import gives_back, lease_for
from shared.files.records import FileRecord

NOW = datetime(2030, 1, 1, tzinfo=UTC)
KIB, MIB = 1024, 1024 * 1024


def _one_time(count: int = 0, leased: int = 0, lease_until: datetime = NOW) -> FileRecord:
    record = FileRecord(
        "AAAAAAAAAAAAAAAA", "k", "a.bin", ".bin", "application/octet-stream", 20 * MIB,
        NOW - timedelta(hours=1), NOW + timedelta(hours=1), 1, count, '"etag"',
    )  # fmt: skip
    return replace(record, leased=leased, lease_until=lease_until, etag="row-etag")


@pytest.mark.parametrize(
    ("completed", "handed", "length", "given_back"),
    [
        (True, 20 * MIB, 20 * MIB, False),
        (False, 0, 20 * MIB, True),
        (False, 64 * KIB, 20 * MIB, True),
        (False, 64 * KIB + 1, 20 * MIB, False),
        (False, 1 * MIB, 20 * MIB, False),  # the old rule gave this back, again and again
        (False, 4 * KIB, 64 * KIB, True),
        (False, 4 * KIB + 1, 64 * KIB, False),  # a small file: a sixteenth of it is the bound
        (False, 10, 10, False),  # the whole of a small file left
        (False, 0, 10, True),
    ],
)
def test_a_break_off_gives_back_only_before_meaningful_content_left(
    completed: bool, handed: int, length: int, given_back: bool
) -> None:
    assert gives_back(completed=completed, handed=handed, length=length) is given_back


def test_lease_grows_with_size_from_fifteen_minutes() -> None:
    assert lease_for(0) == timedelta(minutes=15)
    assert lease_for(100 * MIB) == timedelta(minutes=15, seconds=1600)


def test_claim_in_flight_keeps_a_one_time_file_used_until_its_lease_ends() -> None:
    leased = _one_time(count=1, leased=1, lease_until=NOW + timedelta(seconds=1))

    assert not leased.is_live(NOW)
    assert leased.reaped(NOW) == leased
    assert leased.is_live(NOW + timedelta(seconds=1))
    reaped = leased.reaped(NOW + timedelta(seconds=1))
    assert (reaped.download_count, reaped.leased, reaped.etag) == (0, 0, "row-etag")


def test_settled_downloads_are_never_reaped() -> None:
    used = _one_time(count=1, leased=0, lease_until=NOW - timedelta(days=1))

    assert used.reaped(NOW) == used
    assert not used.is_live(NOW)
