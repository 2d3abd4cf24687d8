"""Benchmark bytes: one random block repeated, streamed, and checked on the way back.

Only the block is ever held in memory, however big the transfer; every byte that comes back is
compared with the byte that was sent at that offset.
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator

MIB = 1024 * 1024
CHUNK = 1 * MIB
_BLOCK = os.urandom(CHUNK)


async def stream(size: int, chunk: int = CHUNK) -> AsyncIterator[bytes]:
    """`size` bytes of the repeated block, `chunk` bytes at a time (chunk divides the block)."""
    view = memoryview(_BLOCK)
    sent = 0
    while sent < size:
        count = min(chunk, size - sent)
        start = sent % len(_BLOCK)
        yield bytes(view[start : start + count]) if count < len(_BLOCK) else _BLOCK
        sent += count


def small(size: int) -> bytes:
    return _BLOCK[:size]


class Verifier(io.RawIOBase):
    """A seekable sink that compares what is written with the payload at that offset.

    Seekable so the SDK's parallel download can write its ranges into it out of order.
    """

    def __init__(self) -> None:
        super().__init__()
        self.position = 0
        self.received = 0
        self.mismatches = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self.position = offset
        elif whence == io.SEEK_CUR:
            self.position += offset
        else:
            raise ValueError("Verifier cannot seek from the end")
        return self.position

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data)
        done = 0
        while done < len(view):
            start = (self.position + done) % len(_BLOCK)
            count = min(len(view) - done, len(_BLOCK) - start)
            # bytes comparison is a memcmp; comparing memoryviews goes item by item.
            if bytes(view[done : done + count]) != _BLOCK[start : start + count]:
                self.mismatches += 1
            done += count
        self.position += len(view)
        self.received += len(view)
        return len(view)

    def intact(self, size: int) -> bool:
        """Every byte of a `size`-byte payload arrived, each as sent."""
        return self.received == size and self.mismatches == 0
