"""Random files on disk and their digests, for the CLI tests and the benchmark."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cli.transfer import file_sha256

__all__ = ["file_sha256", "write_random_file"]

MIB = 1024 * 1024


def write_random_file(path: Path, size: int) -> str:
    """Write `size` fresh random bytes to `path` (16 MiB at a time); their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for offset in range(0, size, 16 * MIB):
            chunk = os.urandom(min(16 * MIB, size - offset))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
