"""The share archive's layout (shared/shares/zip_layout.py): readable by zipfile and unzip, exact
in length, sliceable at any byte, ZIP64 past 4 GiB without storing 4 GiB."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.shares.zip_layout import Entry, Layout, layout, unique_names

_WHEN = datetime(2026, 12, 2, 10, 30, 16, tzinfo=UTC)


def _entries(contents: dict[str, bytes]) -> list[Entry]:
    return [
        Entry(name, len(data), zlib.crc32(data), _WHEN, name) for name, data in contents.items()
    ]


def _render(
    plan: Layout, contents: dict[str, bytes], start: int = 0, length: int | None = None
) -> bytes:
    out = bytearray()
    for piece in plan.slice(start, plan.size - start if length is None else length):
        if piece.entry is None:
            out += piece.data
        else:
            out += contents[piece.entry.source][piece.offset : piece.offset + piece.length]
    return bytes(out)


_CONTENTS = {
    "report.pdf": b"%PDF-1.7 " * 1000,
    "empty.txt": b"",
    "naïve café.txt": "unicode ✓".encode(),
    "photos/cat.png": bytes(range(256)) * 40,
}


def test_layout_is_read_by_zipfile_with_exact_length() -> None:
    plan = layout(_entries(_CONTENTS))
    archive = _render(plan, _CONTENTS)

    assert len(archive) == plan.size
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        assert opened.namelist() == list(_CONTENTS)
        for name, data in _CONTENTS.items():
            info = opened.getinfo(name)
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == (2026, 12, 2, 10, 30, 16)
            assert opened.read(name) == data


def test_every_slice_matches_the_whole_archive() -> None:
    plan = layout(_entries(_CONTENTS))
    whole = _render(plan, _CONTENTS)

    for start in range(0, plan.size, 97):
        for length in (1, 30, 5000):
            length = min(length, plan.size - start)
            assert _render(plan, _CONTENTS, start, length) == whole[start : start + length]


def test_resumed_download_is_byte_identical() -> None:
    plan = layout(_entries(_CONTENTS))
    whole = _render(plan, _CONTENTS)
    cut = plan.size // 3

    assert _render(plan, _CONTENTS, 0, cut) + _render(plan, _CONTENTS, cut) == whole


def test_layout_of_no_entries_is_an_empty_archive() -> None:
    plan = layout([])
    with zipfile.ZipFile(io.BytesIO(_render(plan, {}))) as opened:
        assert opened.namelist() == []


def test_zip64_sizes_and_offsets_past_4_gib_without_storing_them() -> None:
    # Members of 3 GiB and 5 GiB (larger than 32 bits hold), then one that starts past 8 GiB.
    big = [
        Entry("a.bin", 3 << 30, 0x1234, _WHEN, "a"),
        Entry("b.bin", 5 << 30, 0x5678, _WHEN, "b"),
        Entry("c.txt", 3, zlib.crc32(b"abc"), _WHEN, "c"),
    ]
    plan = layout(big)
    # The directory and the end records, read as zipfile reads them, from the real tail bytes.
    tail = plan.pieces[-1].data
    data_end = plan.size - len(tail)

    class _Sparse:
        """The archive with zeros where member data would be: only the headers are real."""

        def __init__(self) -> None:
            self.position = 0

        def seek(self, offset: int, whence: int = 0) -> int:
            self.position = {0: offset, 1: self.position + offset, 2: plan.size + offset}[whence]
            return self.position

        def tell(self) -> int:
            return self.position

        def seekable(self) -> bool:
            return True

        def read(self, count: int = -1) -> bytes:
            count = plan.size - self.position if count < 0 else count
            count = min(count, plan.size - self.position)
            data = b"".join(
                piece.data
                if piece.entry is None
                else b"abc"[piece.offset : piece.offset + piece.length]
                if piece.entry.source == "c"
                else bytes(piece.length)
                for piece in plan.slice(self.position, count)
            )
            self.position += len(data)
            return data

    with zipfile.ZipFile(_Sparse()) as opened:
        infos = opened.infolist()
        assert [(i.filename, i.file_size) for i in infos] == [
            ("a.bin", 3 << 30),
            ("b.bin", 5 << 30),
            ("c.txt", 3),
        ]
        assert infos[2].header_offset > 1 << 33  # an offset past 4 GiB
        assert opened.read("c.txt") == b"abc"
    assert data_end > 8 << 30
    assert struct.unpack("<I", tail[-22:-18])[0] == 0x06054B50


def test_zip64_end_records_past_65535_entries() -> None:
    entries = [Entry(f"{n}.txt", 0, 0, _WHEN, str(n)) for n in range(70_000)]
    plan = layout(entries)
    with zipfile.ZipFile(io.BytesIO(_render(plan, {}))) as opened:
        assert len(opened.infolist()) == 70_000


@pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip is not installed")
def test_unzip_tests_the_archive_clean(tmp_path: Path) -> None:
    plan = layout(_entries(_CONTENTS))
    path = tmp_path / "share.zip"
    path.write_bytes(_render(plan, _CONTENTS))

    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors detected" in result.stdout


def test_unique_names_renames_later_duplicates_in_any_case() -> None:
    assert unique_names(["a.txt", "A.txt", "a.txt", "b", "b"]) == [
        "a.txt",
        "A (2).txt",
        "a (3).txt",
        "b",
        "b (2)",
    ]
