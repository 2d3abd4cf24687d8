"""The streaming multipart reader: part header limits, boundaries, and file parts in chunks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from shared.errors import BadRequest, PayloadTooLarge
from shared.http.multipart import MultipartReader, is_multipart

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
# (field name, filename or None, content) of one part.
Found = tuple[str, str | None, bytes]


def _part(name: str, data: bytes, *, filename: str | None = None, extra: str = "") -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{extra}\r\n"
    return head.encode() + data + b"\r\n"


def _body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def _chunks(data: bytes, size: int, sent: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if sent is not None:
            sent.append(start + size)
        yield data[start : start + size]


async def _read(body: AsyncIterator[bytes], content_type: str = CONTENT_TYPE) -> list[Found]:
    """Every part, each read in full."""
    found: list[Found] = []
    async for part in MultipartReader(content_type, body).parts():
        content = b"".join([chunk async for chunk in part.chunks()])
        found.append((part.name, part.filename, content))
    return found


def read(data: bytes, chunk_size: int = 65_536) -> list[Found]:
    return asyncio.run(_read(_chunks(data, chunk_size)))


def _headers(count: int, size: int) -> str:
    return "".join(f"X-Pad-{n}: {'a' * size}\r\n" for n in range(count))


def test_fields_and_a_file_come_out_in_order() -> None:
    body = _body(_part("expires_in", b"60"), _part("file", b"hello", filename="a.txt"))

    assert read(body) == [("expires_in", None, b"60"), ("file", "a.txt", b"hello")]


@pytest.mark.parametrize("chunk_size", [1, 7, len(BOUNDARY) + 3])
def test_boundaries_split_across_chunks_are_found(chunk_size: int) -> None:
    body = _body(_part("note", b"x" * 100), _part("file", b"y" * 300, filename="b.bin"))

    assert read(body, chunk_size) == [("note", None, b"x" * 100), ("file", "b.bin", b"y" * 300)]


def test_boundary_lookalikes_inside_the_data_are_data() -> None:
    content = f"\r\n--{BOUNDARY[:-1]}\r\n--{BOUNDARY}x".encode()

    assert read(_body(_part("file", content, filename="c.bin")), 5) == [("file", "c.bin", content)]


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "multipart/form-data; boundary=", "text/plain"]
)
def test_a_content_type_without_a_boundary_is_400(content_type: str) -> None:
    with pytest.raises(BadRequest, match="No file uploaded"):
        asyncio.run(_read(_chunks(b"", 1), content_type))


def test_a_file_cut_off_before_its_closing_boundary_is_400() -> None:
    body = _part("file", b"z" * 1000, filename="d.bin")[:-200]

    with pytest.raises(BadRequest, match="ended before the file was complete"):
        read(body)


def test_a_body_that_is_not_multipart_is_400() -> None:
    with pytest.raises(BadRequest, match="Malformed multipart body"):
        read(b"this is not a multipart body at all\r\n\r\n")


def test_a_part_header_line_over_4_kib_is_400() -> None:
    body = _body(_part("file", b"e", filename="e.bin", extra=_headers(1, 4300)))

    with pytest.raises(BadRequest, match="Malformed multipart body"):
        read(body)


def test_more_than_eight_headers_in_a_part_is_400() -> None:
    body = _body(_part("file", b"e", filename="e.bin", extra=_headers(8, 10)))

    with pytest.raises(BadRequest, match="Malformed multipart body"):
        read(body)


def test_a_part_whose_headers_add_up_to_over_16_kib_is_400() -> None:
    body = _body(_part("file", b"f", filename="f.bin", extra=_headers(5, 4000)))

    with pytest.raises(BadRequest, match="Multipart headers are too large"):
        read(body)


def test_the_header_limits_apply_to_each_part_on_its_own() -> None:
    pad = _headers(3, 4000)  # with Content-Disposition: 4 lines, about 12 KiB
    body = _body(*(_part(f"field{n}", b"v", extra=pad) for n in range(4)))

    assert [name for name, _, _ in read(body)] == ["field0", "field1", "field2", "field3"]


def test_a_file_part_is_passed_on_in_chunks_before_the_body_has_arrived() -> None:
    content = bytes(range(256)) * 4096  # 1 MiB
    body = _body(_part("file", content, filename="g.bin"))
    sent: list[int] = []

    async def first_chunks() -> tuple[list[bytes], int]:
        async for part in MultipartReader(CONTENT_TYPE, _chunks(body, 16_384, sent)).parts():
            received: list[bytes] = []
            async for chunk in part.chunks():
                received.append(chunk)
                if len(received) == 3:
                    return received, sent[-1]
        raise AssertionError("no file part")

    received, read_so_far = asyncio.run(first_chunks())

    assert b"".join(received) == content[: sum(map(len, received))]
    assert read_so_far < len(body) // 4


def test_a_form_field_over_4_kib_is_413() -> None:
    body = _body(_part("expires_in", b"9" * (4 * 1024 + 1)), _part("file", b"h", filename="h"))

    async def read_fields() -> None:
        async for part in MultipartReader(CONTENT_TYPE, _chunks(body, 4096)).parts():
            if part.filename is None:
                await part.text()

    with pytest.raises(PayloadTooLarge, match="Form field 'expires_in' is too long"):
        asyncio.run(read_fields())


def test_escaped_quotes_and_line_breaks_in_filenames_are_restored() -> None:
    body = _body(_part("file", b"i", filename="a%22b%0D%0Ac.txt"))

    assert read(body) == [("file", 'a"b\r\nc.txt', b"i")]


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (CONTENT_TYPE, True),
        ("Multipart/Form-Data; boundary=x", True),
        ("multipart/mixed; boundary=x", False),
        ("application/octet-stream", False),
        (None, False),
    ],
)
def test_is_multipart(content_type: str | None, expected: bool) -> None:
    assert is_multipart(content_type) is expected
