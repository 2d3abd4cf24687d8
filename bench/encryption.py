"""(h) End-to-end encryption: the CLI's encrypt+upload and download+decrypt against the
unencrypted direct path in the same run, and the CLI's peak memory (docs/encryption.md).

Each transfer is a `python -m cli` subprocess, so its peak RSS is its own (`os.wait4`'s
`ru_maxrss`). Rounds alternate plain and encrypted so drift in the machine's load hits both.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.outcome import Outcome
from bench.payload import MIB
from bench.report import Check, at_least, below
from bench.stack import Stack
from tests.utils.payload import file_sha256, write_random_file

_ROOT = Path(__file__).resolve().parents[1]


def _cli(stack: Stack, workdir: Path, *argv: str) -> tuple[float, int, str]:
    """Seconds, peak RSS in bytes, and standard output of one CLI run."""
    env = {
        **os.environ,
        "PYTHONPATH": str(_ROOT),
        "FILESHARE_SERVER": stack.base_url,
        "FILESHARE_CONFIG_DIR": str(workdir / "cli-config"),
        "COLUMNS": "300",
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *argv],
        env=env,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"fileshare {argv[0]} failed: {output[-300:]}")
    return seconds, usage.ru_maxrss * 1024, output


def _round(
    stack: Stack, workdir: Path, source: Path, target: Path, *, encrypt: bool
) -> tuple[float, float, int]:
    flags = ["--encrypt"] if encrypt else []
    up, up_rss, output = _cli(stack, workdir, "upload", str(source), "--no-qr", *flags)
    link = re.search(r"\S+/file/\S+", output)
    assert link is not None
    down, down_rss, _ = _cli(
        stack, workdir, "download", link.group(0), "-o", str(target), "--force"
    )
    return up, down, max(up_rss, down_rss)


def _measure(stack: Stack, size: int, runs: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        workdir = Path(tmp)
        source, target = workdir / "source.bin", workdir / "copy.bin"
        digest = write_random_file(source, size)
        plain_up: list[float] = []
        plain_down: list[float] = []
        sealed_up: list[float] = []
        sealed_down: list[float] = []
        peak = 0
        intact = True
        for _ in range(runs):
            up, down, _ = _round(stack, workdir, source, target, encrypt=False)
            plain_up.append(up)
            plain_down.append(down)
            intact &= file_sha256(target) == digest
            up, down, rss = _round(stack, workdir, source, target, encrypt=True)
            sealed_up.append(up)
            sealed_down.append(down)
            peak = max(peak, rss)
            intact &= file_sha256(target) == digest
    label = f"{size // MIB} MiB"
    note = (
        f"best of {runs}; plain {size / MIB / min(plain_up):.0f}/"
        f"{size / MIB / min(plain_down):.0f} MiB/s up/down, encrypted "
        f"{size / MIB / min(sealed_up):.0f}/{size / MIB / min(sealed_down):.0f}"
    )
    return Outcome(
        figures=[
            at_least(
                f"(h) CLI encrypt+upload / plain direct upload, {label}",
                min(plain_up) / min(sealed_up),
                0.7,
                note=note,
            ),
            at_least(
                f"(h) CLI download+decrypt / plain direct download, {label}",
                min(plain_down) / min(sealed_down),
                0.7,
                note=note,
            ),
            below("(h) CLI peak RSS, encrypted transfers", peak / MIB, 150, unit=" MiB"),
        ],
        checks=[Check(f"every encrypted {label} round trip came back byte for byte", intact)],
    )


async def measure_encryption(stack: Stack, *, size: int, runs: int) -> Outcome:
    return await asyncio.to_thread(_measure, stack, size, runs)
