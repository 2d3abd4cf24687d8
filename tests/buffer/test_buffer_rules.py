"""Pure rules behind the buffer, the file limit and QR codes: keys, ids, settings, options."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.buffer.items import BufferItem, new_item_id
from shared.buffer.rules import Incoming, data_type, header_filename, live
from shared.config import Settings, SettingsError
from shared.errors import BadRequest
from shared.storage.keys import (
    account_partition,
    account_partition_of_key,
    group_partition,
    user_key,
)
from shared.web.qr import parse_options

ENV = {"STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true", "JWT_SECRET": "s" * 40}


@pytest.mark.parametrize(
    ("username", "key"),
    [
        ("Alice", "alice"),
        ("a/b\\c#d?e", "a%2Fb%5Cc%23d%3Fe"),
        ("100%", "100%25"),
        ("ÉCOLE", "école"),
    ],
)
def test_user_key_folds_case_and_encodes_what_table_keys_forbid(username: str, key: str) -> None:
    assert user_key(username) == key
    assert account_partition(username) == f"u:{key}"
    assert account_partition_of_key(key) == f"u:{key}"


def test_group_partitions_never_meet_account_partitions() -> None:
    assert group_partition("12345678") == "g:12345678"
    assert group_partition("12345678") != account_partition("12345678")


def test_user_key_never_merges_two_names() -> None:
    assert user_key("a%2Fb") != user_key("a/b")


def test_item_ids_sort_newest_first_and_never_repeat() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [new_item_id(start + timedelta(milliseconds=n)) for n in range(50)]

    assert sorted(ids) == list(reversed(ids))
    assert all(len(item_id) == 29 for item_id in ids)
    assert len({new_item_id(start) for _ in range(100)}) == 100


def _incoming(
    data_type: str | None = "file", filename: str | None = None, disposition: str | None = None
) -> Incoming:
    return Incoming(data_type, "application/octet-stream", None, filename, disposition)


@pytest.mark.parametrize(("declared", "kind"), [("text", "text"), (" FILE ", "file")])
def test_data_type_is_text_or_file_in_any_case(declared: str, kind: str) -> None:
    assert data_type(_incoming(declared)) == kind


@pytest.mark.parametrize("declared", [None, "", "image", "texts"])
def test_any_other_data_type_is_400(declared: str | None) -> None:
    with pytest.raises(BadRequest, match="X-Data-Type"):
        data_type(_incoming(declared))


@pytest.mark.parametrize(
    ("filename", "disposition", "name"),
    [
        ("r%C3%A9sum%C3%A9.pdf", 'attachment; filename="ignored.pdf"', "résumé.pdf"),
        (None, 'attachment; filename="plain.txt"', "plain.txt"),
        ("  ", "attachment; filename*=UTF-8''%E2%82%AC.txt", "€.txt"),
    ],
)
def test_a_files_name_comes_from_x_filename_then_content_disposition(
    filename: str | None, disposition: str, name: str
) -> None:
    assert header_filename(_incoming(filename=filename, disposition=disposition)) == name


@pytest.mark.parametrize("disposition", [None, "attachment", 'attachment; filename=" "'])
def test_a_file_without_a_name_is_400(disposition: str | None) -> None:
    with pytest.raises(BadRequest, match="needs a filename"):
        header_filename(_incoming(disposition=disposition))


def test_live_items_keep_their_order_and_the_limit() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    found = [
        BufferItem(str(n), "text", None, "text/plain", 1, now, now + timedelta(seconds=s), "e")
        for n, s in enumerate([5, 0, 7, -1, 9])
    ]

    assert [item.item_id for item in live(found, now, limit=2)] == ["0", "2"]
    assert [item.item_id for item in live(found, now, limit=10)] == ["0", "2", "4"]


def test_buffer_and_limit_settings_default_as_the_seed() -> None:
    settings = Settings.from_env(ENV)

    assert (settings.buffer_history, settings.buffer_ttl_seconds) == (10, 7200)
    assert settings.max_files_per_user == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("BUFFER_HISTORY", "0"), ("BUFFER_TTL_SECONDS", "0"), ("MAX_FILES_PER_USER", "-1")],
)
def test_out_of_range_buffer_and_limit_settings_are_refused(key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({**ENV, key: value})


def test_buffer_ttl_may_not_outlive_the_lifecycle_backstop() -> None:
    with pytest.raises(SettingsError, match="BUFFER_TTL_SECONDS"):
        Settings.from_env({**ENV, "MAX_TTL_SECONDS": "3600", "DEFAULT_TTL_SECONDS": "60"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ("svg", 4)),
        ({"format": "PNG", "scale": "40"}, ("png", 40)),
        ({"scale": "1"}, ("svg", 1)),
    ],
)
def test_qr_options(query: dict[str, str], expected: tuple[str, int]) -> None:
    assert parse_options(query) == expected


@pytest.mark.parametrize("query", [{"format": "jpeg"}, {"scale": "0"}, {"scale": "-3"}])
def test_qr_bad_options_are_400(query: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        parse_options(query)
