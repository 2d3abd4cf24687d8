"""May an upload link take this much more? A pure decision over the link's counters."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.errors import ServiceError, UploadLinkBytesExhausted, UploadLinkFull

if TYPE_CHECKING:
    from shared.reverse.links import ReverseShare

MAX_FILES = 1000


class Verdict(enum.Enum):
    ADMITTED = "admitted"
    NO_FILES_LEFT = "no files left"
    NO_BYTES_LEFT = "no bytes left"


@dataclass(frozen=True)
class Usage:
    """A link's limits and what counts against them (received plus reserved)."""

    max_files: int
    max_bytes: int
    files_used: int
    bytes_used: int

    @classmethod
    def of(cls, link: ReverseShare) -> Usage:
        return cls(link.max_files, link.max_bytes, link.files_used, link.bytes_used)


def admit(usage: Usage, *, files: int, size: int) -> Verdict:
    """Whether `files` more files and `size` more bytes fit. A file slot is checked first: an
    upload reserves its slot before it knows its size, then its bytes (with files=0)."""
    if files and usage.files_used + files > usage.max_files:
        return Verdict.NO_FILES_LEFT
    if usage.bytes_used + size > usage.max_bytes or (files and usage.bytes_used >= usage.max_bytes):
        return Verdict.NO_BYTES_LEFT
    return Verdict.ADMITTED


def refusal(verdict: Verdict) -> ServiceError:
    if verdict is Verdict.NO_FILES_LEFT:
        return UploadLinkFull()
    return UploadLinkBytesExhausted()
