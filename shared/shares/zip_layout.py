"""The exact bytes of a share's ZIP archive, computed before the first one is sent.

Entries are stored (no compression) with their CRC-32 and sizes in the local header and no data
descriptor, so the archive is a pure function of its entries: names, sizes, CRCs and times. Its
length is known up front (an exact Content-Length) and any byte range maps to header bytes and
ranges of the members' blobs, so a broken download resumes with `Range` and the bytes match what a
whole download would have sent. ZIP64 records are written for an entry whose size or offset does
not fit 32 bits, and for the end of an archive past 4 GiB or 65,535 entries (APPNOTE 6.3.x,
sections 4.3.7, 4.3.12, 4.3.14-16, 4.5.3).

Streaming zip libraries (stream-zip, zipstream-ng) compute the CRC while they stream, so they can
neither say where byte N lies nor start there: the layout is computed here, and tests check it
against Python's zipfile, `unzip -t` and ZIP64 sizes far beyond what they store.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

_U32 = 0xFFFFFFFF
_U16 = 0xFFFF
_UTF8_NAMES = 1 << 11
_VERSION_ZIP64 = 45
_VERSION_STORED = 20
# "Made by" Unix, so the external attributes below are read as permissions (rw-r--r--).
_MADE_BY = (3 << 8) | _VERSION_ZIP64
_REGULAR_FILE = (0o100644 << 16) & _U32


@dataclass(frozen=True)
class Entry:
    """One member: its name in the archive, its bytes' size and CRC-32, its time, and where the
    bytes live (`source`, opaque here: the caller's handle on a blob)."""

    name: str
    size: int
    crc32: int
    modified: datetime
    source: str


@dataclass(frozen=True)
class Piece:
    """A stretch of the archive: literal header bytes, or `length` bytes of an entry's data from
    `offset` on."""

    data: bytes = b""
    entry: Entry | None = None
    offset: int = 0
    length: int = 0

    @property
    def size(self) -> int:
        return self.length if self.entry is not None else len(self.data)


@dataclass(frozen=True)
class Layout:
    pieces: tuple[Piece, ...]
    size: int

    def slice(self, start: int, length: int) -> Iterator[Piece]:
        """The pieces covering bytes `start` .. `start + length - 1`, cut to fit."""
        end = start + length
        position = 0
        for piece in self.pieces:
            piece_end = position + piece.size
            if piece_end > start and position < end:
                cut_from = max(start, position) - position
                cut_to = min(end, piece_end) - position
                if piece.entry is None:
                    yield Piece(data=piece.data[cut_from:cut_to])
                else:
                    yield Piece(
                        entry=piece.entry,
                        offset=piece.offset + cut_from,
                        length=cut_to - cut_from,
                    )
            if piece_end >= end:
                return
            position = piece_end


def _dos_time(moment: datetime) -> tuple[int, int]:
    year = min(max(moment.year, 1980), 2107)
    date = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    return time, date


def _local_header(entry: Entry, name: bytes) -> bytes:
    big = entry.size >= _U32
    extra = struct.pack("<HHQQ", 1, 16, entry.size, entry.size) if big else b""
    time, date = _dos_time(entry.modified)
    stored = _U32 if big else entry.size
    return (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            _VERSION_ZIP64 if big else _VERSION_STORED,
            _UTF8_NAMES,
            0,  # stored
            time,
            date,
            entry.crc32,
            stored,
            stored,
            len(name),
            len(extra),
        )
        + name
        + extra
    )


def _central_header(entry: Entry, name: bytes, offset: int) -> bytes:
    big_size, big_offset = entry.size >= _U32, offset >= _U32
    fields = [entry.size, entry.size] if big_size else []
    if big_offset:
        fields.append(offset)
    extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
    time, date = _dos_time(entry.modified)
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            _MADE_BY,
            _VERSION_ZIP64 if fields else _VERSION_STORED,
            _UTF8_NAMES,
            0,
            time,
            date,
            entry.crc32,
            _U32 if big_size else entry.size,
            _U32 if big_size else entry.size,
            len(name),
            len(extra),
            0,  # comment
            0,  # disk
            0,  # internal attributes
            _REGULAR_FILE,
            _U32 if big_offset else offset,
        )
        + name
        + extra
    )


def _end(count: int, directory_offset: int, directory_size: int) -> bytes:
    end = b""
    if count >= _U16 or directory_offset >= _U32 or directory_size >= _U32:
        zip64_end_offset = directory_offset + directory_size
        end += struct.pack(
            "<IQHHIIQQQQ",
            0x06064B50,
            44,
            _MADE_BY,
            _VERSION_ZIP64,
            0,
            0,
            count,
            count,
            directory_size,
            directory_offset,
        )
        end += struct.pack("<IIQI", 0x07064B50, 0, zip64_end_offset, 1)
    return end + struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        min(count, _U16),
        min(count, _U16),
        min(directory_size, _U32),
        min(directory_offset, _U32),
        0,
    )


def layout(entries: Sequence[Entry]) -> Layout:
    """The archive of `entries`, in order. Names must be unique (see `unique_names`)."""
    pieces: list[Piece] = []
    directory = bytearray()
    offset = 0
    for entry in entries:
        name = entry.name.encode("utf-8")
        header = _local_header(entry, name)
        directory += _central_header(entry, name, offset)
        pieces.append(Piece(data=header))
        if entry.size:
            pieces.append(Piece(entry=entry, offset=0, length=entry.size))
        offset += len(header) + entry.size
    pieces.append(Piece(data=bytes(directory) + _end(len(entries), offset, len(directory))))
    return Layout(tuple(pieces), offset + pieces[-1].size)


def unique_names(names: Sequence[str]) -> list[str]:
    """The names, with a later duplicate (in any case) renamed `report (2).pdf`, `report (3).pdf`:
    an archive with two members of one name extracts only one of them."""
    taken: set[str] = set()
    result = []
    for name in names:
        candidate, number = name, 1
        stem, dot, ext = name.rpartition(".")
        if not stem:
            stem, dot, ext = name, "", ""
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{stem} ({number}){dot}{ext}"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result
