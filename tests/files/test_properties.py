"""Property tests (hypothesis) for the pure rules in shared/: names, ranges, expiry, tokens."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import jwt
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from shared.accounts import tokens
from shared.clock import bucket_of, expires_at, iso, parse_max_downloads, parse_ttl
from shared.config import Settings
from shared.errors import AuthError, BadRequest, RangeNotSatisfiable
from shared.files import shortener
from shared.files.filenames import content_disposition, extension_of, sanitize_filename
from shared.http.ranges import parse_range

SECRET = "property-secret-" + "z" * 40
SETTINGS = Settings.from_env(
    {"JWT_SECRET": SECRET, "STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
names = st.text(max_size=600) | st.from_regex(
    r"[ ./\\a-zA-Z0-9\x00-\x1f\u202e]{0,400}", fullmatch=True
)


# Filenames -----------------------------------------------------------------------------------


@given(names)
@example("../../etc/passwd")
@example("a" * 300 + " .txt")
@example(" " * 300)
def test_sanitize_filename_yields_one_safe_segment(raw: str) -> None:
    name = sanitize_filename(raw)

    assert name
    assert len(name) <= 255
    assert "/" not in name
    assert "\\" not in name
    assert not any(unicodedata.category(c) == "Cc" for c in name)
    assert "\u202e" not in name
    assert name not in (".", "..")
    assert name == name.strip()


@given(names)
@example("a" * 254 + " b")
def test_sanitize_filename_is_idempotent(raw: str) -> None:
    once = sanitize_filename(raw)

    assert sanitize_filename(once) == once


@given(names)
def test_extension_of_is_empty_or_a_plain_lowercase_suffix(raw: str) -> None:
    name = sanitize_filename(raw)
    ext = extension_of(name)

    if ext:
        assert name.lower().endswith(ext)
        assert ext[0] == "."
        assert ext[1:].isascii()
        assert ext[1:].isalnum()
        assert ext == ext.lower()
        assert 2 <= len(ext) <= 17


@given(names, st.sampled_from(["inline", "attachment"]))
def test_content_disposition_is_one_ascii_header_that_round_trips(
    raw: str, disposition: str
) -> None:
    name = sanitize_filename(raw)
    header = content_disposition(disposition, name)

    assert header.isascii()
    assert not any(c in header for c in "\r\n\x00")
    prefix, fallback_part, star_part = header.split("; ")
    assert prefix == disposition
    fallback = fallback_part.removeprefix('filename="').removesuffix('"')
    assert '"' not in fallback
    assert "\\" not in fallback
    assert unquote(star_part.removeprefix("filename*=UTF-8''"), errors="strict") == name


# Ranges --------------------------------------------------------------------------------------

# Beyond Python's 4300-digit limit on int(str) too, with and without leading zeros.
huge_numbers = st.builds(
    lambda zeros, digits: "0" * zeros + digits,
    st.integers(0, 5000),
    st.integers(4290, 6000).map(lambda n: "1" + "7" * n),
)
numbers = st.integers(min_value=0, max_value=10**12).map(str) | st.just("") | huge_numbers
range_headers = st.builds(
    lambda unit, first, last, pad: f"{unit}{pad}={pad}{first}{pad}-{pad}{last}",
    st.sampled_from(["bytes", "BYTES", "Bytes"]),
    numbers,
    numbers,
    st.sampled_from(["", " "]),
)


@given(range_headers | st.text(max_size=40), st.integers(min_value=0, max_value=10**12))
def test_parse_range_is_inside_the_file_or_refused(header: str, size: int) -> None:
    refused: RangeNotSatisfiable | None = None
    try:
        byte_range = parse_range(header, size)
    except RangeNotSatisfiable as error:
        refused, byte_range = error, None
    if refused is not None:
        assert refused.headers() == {"Content-Range": f"bytes */{size}"}
    elif byte_range is not None:
        assert 0 <= byte_range.start <= byte_range.end < size
        assert byte_range.length == byte_range.end - byte_range.start + 1
        assert byte_range.content_range(size) == (
            f"bytes {byte_range.start}-{byte_range.end}/{size}"
        )


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(1, 10**9))
def test_parse_range_matches_rfc_9110_for_first_last(first: int, last: int, size: int) -> None:
    header = f"bytes={first}-{last}"
    if last < first:
        assert parse_range(header, size) is None
    elif first >= size:
        with pytest.raises(RangeNotSatisfiable):
            parse_range(header, size)
    else:
        byte_range = parse_range(header, size)
        assert byte_range is not None
        assert (byte_range.start, byte_range.end) == (first, min(last, size - 1))


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_parse_range_suffix_is_the_last_bytes(suffix: int, size: int) -> None:
    byte_range = parse_range(f"bytes=-{suffix}", size)

    assert byte_range is not None
    assert byte_range.end == size - 1
    assert byte_range.length == min(suffix, size)


@given(huge_numbers, st.integers(1, 10**12))
def test_parse_range_with_numbers_beyond_any_file_clamps_or_refuses(digits: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(f"bytes={digits}-", size)
    to_end = parse_range(f"bytes=0-{digits}", size)
    suffix = parse_range(f"bytes=-{digits}", size)

    assert to_end is not None
    assert suffix is not None
    assert (to_end.start, to_end.end) == (suffix.start, suffix.end) == (0, size - 1)


@given(st.integers(0, 5000), st.integers(0, 10**9), st.integers(1, 10**9))
def test_parse_range_reads_leading_zeros_as_the_number(zeros: int, first: int, size: int) -> None:
    padded = parse_range(f"bytes={'0' * zeros}{first}-", size) if first < size else None
    plain = parse_range(f"bytes={first}-", size) if first < size else None

    assert padded == plain


# Shortener targets --------------------------------------------------------------------------

urlish = st.builds(
    lambda scheme, rest: f"{scheme}://{rest}",
    st.sampled_from(["http", "https", "HTTPS", "ftp"]),
    st.text(max_size=80),
)


@given(urlish | st.text(max_size=80))
@example("https://пример.example/\x01")
@example("https://example.com/\u202e")
def test_shortener_location_is_a_header_value_or_none(text: str) -> None:
    location = shortener.location(text)

    if location is not None:
        assert location.startswith(("http://", "https://"))
        assert all(0x21 <= ord(char) <= 0x7E for char in location)
        assert shortener.location(location) == location


# Expiry --------------------------------------------------------------------------------------


@given(moments, moments)
def test_bucket_order_is_time_order(a: datetime, b: datetime) -> None:
    assume(a.replace(second=0, microsecond=0) != b.replace(second=0, microsecond=0))

    assert (bucket_of(a) < bucket_of(b)) == (a < b)


@given(moments, st.integers(1, 10**8))
def test_expiry_is_after_now_and_in_a_later_or_same_bucket(now: datetime, ttl: int) -> None:
    due = expires_at(now, ttl)

    assert now + timedelta(seconds=ttl) <= due < now + timedelta(seconds=ttl + 1)
    assert bucket_of(due) >= bucket_of(now)
    assert iso(due).endswith("Z")
    # What an answer advertises is exactly what is enforced: expiry is a whole second.
    assert datetime.strptime(iso(due), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) == due


@given(st.integers(1, 10**7), st.integers(1, 10**7))
def test_parse_ttl_accepts_exactly_whole_seconds_up_to_the_maximum(
    value: int, maximum: int
) -> None:
    if value <= maximum:
        assert parse_ttl(f" {value} ", default=1, maximum=maximum) == value
    else:
        with pytest.raises(BadRequest):
            parse_ttl(str(value), default=1, maximum=maximum)


@given(st.text(max_size=12))
def test_parse_options_refuse_anything_but_digits(raw: str) -> None:
    text = raw.strip()
    assume(text and not (text.isdigit() and text.isascii()))

    with pytest.raises(BadRequest):
        parse_ttl(raw, default=1, maximum=10**9)
    with pytest.raises(BadRequest):
        parse_max_downloads(raw)


# Token claims --------------------------------------------------------------------------------

usernames = st.text(min_size=1, max_size=40)


def _token(username: str, bot: bool, now: datetime, ttl: int, **header: str) -> str:
    claims = {
        "sub": username,
        "jti": "id",
        "bot": bot,
        "iat": now,
        "exp": now + timedelta(seconds=ttl),
    }
    return jwt.encode(claims, SECRET, algorithm="HS256", headers=header or None)


@given(usernames, st.booleans(), moments, st.integers(1, 10**8))
def test_token_claims_round_trip(username: str, bot: bool, now: datetime, ttl: int) -> None:
    now = now.replace(microsecond=0)
    claims = tokens.decode(_token(username, bot, now, ttl), settings=SETTINGS, now=now)

    assert claims.username == username
    assert claims.bot is bot
    assert claims.token_id == "id"
    assert claims.expires_at == now + timedelta(seconds=ttl)


@given(usernames, moments, st.integers(0, 10**6))
def test_token_at_or_after_expiry_is_expired(username: str, now: datetime, late: int) -> None:
    now = now.replace(microsecond=0)
    token = _token(username, False, now - timedelta(seconds=60), 60)

    with pytest.raises(AuthError) as raised:
        tokens.decode(token, settings=SETTINGS, now=now + timedelta(seconds=late))
    assert raised.value.error_id == AuthError.EXPIRED[0]


@given(usernames, moments, st.integers(0, 200), st.characters(codec="ascii"))
def test_token_with_any_changed_character_is_refused(
    username: str, now: datetime, position: int, replacement: str
) -> None:
    now = now.replace(microsecond=0)
    token = _token(username, False, now, 3600)
    index = position % len(token)
    assume(token[index] != replacement and token[index] != ".")
    tampered = token[:index] + replacement + token[index + 1 :]

    refused: AuthError | None = None
    try:
        claims = tokens.decode(tampered, settings=SETTINGS, now=now)
    except AuthError as error:
        refused = error
    if refused is not None:
        assert refused.error_id == AuthError.INVALID[0]
    else:
        # Base64url padding bits: a last-character change can decode to the same bytes.
        assert claims.username == username
