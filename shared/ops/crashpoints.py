"""Named crash points: where a crash-consistency test may kill (or stall) the process mid-operation.

Every multi-step operation marks the moments between its steps with `crash_point("<op>.<step>")`
(docs/consistency.md lists them and what a client may observe after a crash at each). Nothing
happens unless the process was started with
- `FILESHARE_CRASH_AT=<name>`: reaching that point ends the process at once with
  `os._exit(137)`, as `kill -9` would: no `finally`, no answer, no flushed buffers;
- `FILESHARE_STALL_AT=<name>=<seconds>`: reaching it blocks the whole process that long, so a
  test can run a racing request on another instance in between.
Both are read once at start-up; unarmed, a crash point costs two comparisons.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

CRASH_ENV = "FILESHARE_CRASH_AT"
STALL_ENV = "FILESHARE_STALL_AT"
EXIT_CODE = 137  # what a shell reports for a process killed by SIGKILL

_crash_at: str | None = None
_stall_at: str | None = None
_stall_seconds = 0.0


def arm(env: Mapping[str, str]) -> None:
    """Read the armed points from `env`: at import, and again in a test host forked after it."""
    global _crash_at, _stall_at, _stall_seconds
    _crash_at = env.get(CRASH_ENV) or None
    name, _, seconds = env.get(STALL_ENV, "").rpartition("=")
    _stall_at, _stall_seconds = (name, float(seconds)) if name else (None, 0.0)


def crash_point(name: str) -> None:
    if name == _crash_at:
        os.write(2, f"crash point {name}: exiting with {EXIT_CODE}\n".encode())
        os._exit(EXIT_CODE)
    if name == _stall_at:
        os.write(2, f"crash point {name}: stalling {_stall_seconds} s\n".encode())
        time.sleep(_stall_seconds)  # blocks every request of this process, as a frozen host would


arm(os.environ)
