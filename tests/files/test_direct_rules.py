"""Pure rules of direct transfers: block sizes, download SAS lifetimes, links the CLI accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cli.transfer import file_url_of
from shared.config import Settings
from shared.files.direct_downloads import goes_direct, sas_lifetime
from shared.files.direct_uploads import MAX_BLOCKS, MIB, block_size_for
from shared.files.records import FileRecord

SETTINGS = Settings.from_env(
    {"STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true", "JWT_SECRET": "s" * 32}
)


def _record(size: int, max_downloads: int | None = None) -> FileRecord:
    now = datetime.now(UTC)
    return FileRecord(
        "AAAAAAAAAAAAAAAA", "k", "a.bin", ".bin", "application/octet-stream", size,
        now, now + timedelta(days=1), max_downloads, 0, '"etag"',
    )  # fmt: skip


@pytest.mark.parametrize(
    ("size", "block_size"),
    [
        (0, 8 * MIB),
        (1, 8 * MIB),
        (50 * 1024**3, 8 * MIB),
        (MAX_BLOCKS * 8 * MIB, 8 * MIB),
        (MAX_BLOCKS * 8 * MIB + 1, 9 * MIB),
        (1024**4, 21 * MIB),
    ],
)
def test_block_size_fits_any_size_into_the_block_limit(size: int, block_size: int) -> None:
    assert block_size_for(size) == block_size
    assert -(-size // block_size) <= MAX_BLOCKS


def test_download_sas_lifetime_grows_with_size_from_fifteen_minutes() -> None:
    assert sas_lifetime(0) == timedelta(minutes=15)
    assert sas_lifetime(8 * MIB * 600) == timedelta(minutes=25)


@pytest.mark.parametrize(
    ("size", "max_downloads", "asked", "direct"),
    [
        (33_554_433, None, False, True),
        (33_554_432, None, False, False),
        (10, None, True, True),
        (10**10, 1, True, False),
        (10**10, 5, False, False),
    ],
)
def test_goes_direct_only_without_a_download_limit(
    size: int, max_downloads: int | None, asked: bool, direct: bool
) -> None:
    assert goes_direct(_record(size, max_downloads), asked=asked, settings=SETTINGS) is direct


@pytest.mark.parametrize(
    "link",
    [
        "https://files.example/file/q3X1v9Gm0bLr2TzA",
        "https://files.example/f/q3X1v9Gm0bLr2TzA/",
        "q3X1v9Gm0bLr2TzA",
    ],
)
def test_cli_accepts_links_and_bare_ids(link: str) -> None:
    assert file_url_of(link) == "q3X1v9Gm0bLr2TzA"
