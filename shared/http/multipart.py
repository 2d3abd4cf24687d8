"""A streaming multipart/form-data reader: file parts are passed on chunk by chunk.

Starlette's form parser spools files to disk before the handler sees them; this one lets an
upload flow from the request straight into Blob Storage blocks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from shared.errors import BadRequest, PayloadTooLarge

# Form fields are held in memory: each is bounded, and so is their number (uploads.py).
MAX_FIELD_BYTES = 4 * 1024
MAX_FIELDS = 20
# Per part: at most this many header lines, each at most this long (python-multipart's defaults,
# stated here so they stay put), and all of them together at most _MAX_HEADER_BYTES.
_MAX_HEADERS = 8
_MAX_HEADER_LINE = 4096 + 128
_MAX_HEADER_BYTES = 16 * 1024

_Event = tuple[str, bytes]


def is_multipart(content_type: str | None) -> bool:
    media, _ = parse_options_header(content_type or "")
    return media == b"multipart/form-data"


@dataclass
class Part:
    """One part of the form; read its data before asking the reader for the next part."""

    reader: MultipartReader
    name: str
    filename: str | None
    finished: bool = field(default=False)

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.finished:
            kind, data = await self.reader._next_event()
            if kind == "data":
                yield data
            elif kind == "end":
                self.finished = True
            else:
                raise BadRequest("The upload ended before the file was complete")

    async def text(self) -> str:
        """The field's value; 413 once it passes MAX_FIELD_BYTES, before the rest is read."""
        collected = bytearray()
        async for chunk in self.chunks():
            collected += chunk
            if len(collected) > MAX_FIELD_BYTES:
                raise PayloadTooLarge(
                    f"Form field {self.name!r} is too long ({MAX_FIELD_BYTES // 1024} KiB at most)"
                )
        return collected.decode("utf-8", errors="replace")

    async def skip(self) -> None:
        async for _ in self.chunks():
            pass


class MultipartReader:
    """Pulls the request body only as fast as the consumer reads parts."""

    def __init__(self, content_type: str, body: AsyncIterator[bytes]) -> None:
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            raise BadRequest("No file uploaded")
        self._body = body.__aiter__()
        self._events: deque[_Event] = deque()
        self._headers: list[tuple[bytes, bytes]] = []
        self._part_headers: deque[dict[bytes, bytes]] = deque()
        self._field = bytearray()
        self._value = bytearray()
        self._header_bytes = 0
        self._eof = False
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_data": self._on_data,
                "on_part_end": lambda: self._events.append(("end", b"")),
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
            },
            max_header_count=_MAX_HEADERS,
            max_header_size=_MAX_HEADER_LINE,
        )

    def _on_data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(("data", data[start:end]))

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((bytes(self._field).lower(), bytes(self._value)))
        self._field.clear()
        self._value.clear()

    def _on_headers_finished(self) -> None:
        # One write() can parse several parts ahead of the consumer: queue each part's headers.
        self._part_headers.append(dict(self._headers))
        self._headers.clear()
        self._header_bytes = 0
        self._events.append(("headers", b""))

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > _MAX_HEADER_BYTES:
            raise BadRequest("Multipart headers are too large")

    async def _next_event(self) -> _Event:
        while not self._events:
            if self._eof:
                return ("eof", b"")
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                self._eof = True
                continue
            try:
                self._parser.write(chunk)
            except MultipartParseError:
                raise BadRequest("Malformed multipart body") from None
        return self._events.popleft()

    async def parts(self) -> AsyncIterator[Part]:
        current: Part | None = None
        while True:
            if current is not None and not current.finished:
                await current.skip()
            kind, _ = await self._next_event()
            if kind == "eof":
                return
            if kind != "headers":
                continue
            current = self._start_part()
            yield current

    def _start_part(self) -> Part:
        headers = self._part_headers.popleft()
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        raw_filename = options.get(b"filename")
        if raw_filename is None:
            return Part(self, name, None)
        filename = raw_filename.decode("utf-8", errors="replace")
        # Browsers (and httpx) escape these three in filenames, as the HTML standard says.
        for escaped, char in (("%22", '"'), ("%0D", "\r"), ("%0A", "\n")):
            filename = filename.replace(escaped, char)
        return Part(self, name, filename)
