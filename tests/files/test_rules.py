"""The pure rules of shared/: ranges, names, negotiation, entity tags, expiry arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.clock import bucket_of, parse_max_downloads, parse_ttl
from shared.errors import BadRequest, RangeNotSatisfiable
from shared.files.content_policy import guess_content_type, response_headers
from shared.files.filenames import content_disposition, extension_of, sanitize_filename
from shared.http.accept import best_offer
from shared.http.etags import if_range_allows, none_match_hits
from shared.http.params import is_true
from shared.http.ranges import ByteRange, parse_range
from shared.ids import is_valid_file_url, new_file_url


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=5-", ByteRange(5, 9)),
        ("bytes=-4", ByteRange(6, 9)),
        ("bytes=-40", ByteRange(0, 9)),
        ("bytes=3-100", ByteRange(3, 9)),
        ("bytes=0-1,4-5", None),
        ("items=0-1", None),
        ("bytes=5-2", None),
        (None, None),
    ],
)
def test_parse_range(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 10) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=-0", "bytes=99-100"])
def test_parse_range_outside_the_file_is_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\file.txt", "file.txt"),
        ("bad\x00name\r\n.txt", "badname.txt"),
        ("", "file"),
        ("...", "file"),
        (None, "file"),
    ],
)
def test_sanitize_filename(raw: str | None, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_keeps_extension_when_truncating() -> None:
    name = sanitize_filename("a" * 400 + ".jpeg")

    assert len(name) == 255
    assert name.endswith(".jpeg")


@pytest.mark.parametrize(
    ("name", "ext"), [("a.MP4", ".mp4"), ("archive.tar.gz", ".gz"), ("noext", ""), ("x.ex e", "")]
)
def test_extension_of(name: str, ext: str) -> None:
    assert extension_of(name) == ext


def test_content_disposition_has_ascii_fallback_and_utf8_name() -> None:
    value = content_disposition("attachment", 'é "q".txt')

    assert value == "attachment; filename=\"_ _q_.txt\"; filename*=UTF-8''%C3%A9%20%22q%22.txt"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("data.json", "application/json"),
        ("table.csv", "text/csv"),
        ("style.css", "text/css"),
        ("bundle.zip", "application/zip"),
    ],
)
def test_safe_types_keep_their_type_as_attachments(filename: str, expected: str) -> None:
    headers = response_headers(guess_content_type(filename), filename)

    assert headers["Content-Type"] == expected
    assert headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("filename", ["x.html", "x.svg", "x.xml", "x.xhtml", "x.js", "x.xsl"])
def test_active_types_are_neutralised(filename: str) -> None:
    headers = response_headers(guess_content_type(filename), filename)

    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment")


def test_html_is_never_rendered_inline() -> None:
    headers = response_headers(guess_content_type("x.html"), "x.html")

    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/plain", "text/plain"),
        ("text/*", "text/plain"),
        ("application/json;q=0.5, text/plain", "text/plain"),
        ("text/plain;q=0.1, application/json", "application/json"),
    ],
)
def test_best_offer(accept: str | None, expected: str) -> None:
    assert best_offer(accept, ["application/json", "text/plain"]) == expected


def test_etag_comparisons() -> None:
    assert none_match_hits('"a", "b"', '"b"')
    assert none_match_hits('W/"b"', '"b"')
    assert none_match_hits("*", '"b"')
    assert not none_match_hits('"a"', '"b"')
    assert if_range_allows(None, '"b"')
    assert if_range_allows('"b"', '"b"')
    assert not if_range_allows('"a"', '"b"')


def test_ttl_and_download_limits() -> None:
    assert parse_ttl(None, default=60, maximum=120) == 60
    assert parse_ttl("120", default=60, maximum=120) == 120
    assert parse_max_downloads("") is None
    assert parse_max_downloads("3") == 3
    for bad in ("0", "121", "1e3", "-5"):
        with pytest.raises(BadRequest):
            parse_ttl(bad, default=60, maximum=120)


def test_buckets_sort_in_time_order() -> None:
    early = bucket_of(datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    late = bucket_of(datetime(2026, 11, 2, 3, 4, tzinfo=UTC))

    assert early == "202601020304"
    assert early < late


def test_file_urls_have_96_random_bits_and_a_checkable_shape() -> None:
    urls = {new_file_url() for _ in range(1000)}

    assert len(urls) == 1000
    assert all(len(url) == 16 and is_valid_file_url(url) for url in urls)
    assert all(url[0].isalnum() for url in urls)  # never mistaken for a command-line option
    assert is_valid_file_url(new_file_url(".mp4"))
    assert not is_valid_file_url("../etc/passwd")


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("on", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("no", False),
        ("", False),
        (None, False),
        ("2", False),
        ("y", False),
        ("truthy", False),
    ],
)
def test_flags_are_1_true_yes_or_on_in_any_case(value: str | None, flag: bool) -> None:
    assert is_true(value) is flag
