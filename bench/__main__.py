"""`python -m bench [--quick]`: start Azurite and the devhost, run every phase, print the report.

Exits 0 whatever the figures (it is a report), 1 when a correctness check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench.direct import measure_direct
from bench.encryption import measure_encryption
from bench.latency import measure_latency
from bench.outcome import Outcome
from bench.payload import MIB
from bench.report import Check, report
from bench.shares import measure_share_zip
from bench.small import measure_small
from bench.stack import GIB, Stack, running
from bench.sweep import measure_cleanup
from bench.throughput import measure_peak_memory, measure_throughput
from bench.webhooks import measure_webhooks

logger = logging.getLogger("bench")


@dataclass(frozen=True)
class Sizes:
    throughput_bytes: int
    throughput_runs: int
    memory_bytes: int
    small_requests: int
    expired: int
    live: int
    cleanup_runs: int
    webhook_downloads: int
    share_bytes: int  # (g): 20 files totalling this much, as a ZIP and as one file
    small_operations: int  # (i): 4 KiB uploads and downloads


FULL = Sizes(256 * MIB, 3, GIB, 300, 1_000, 10_000, 2, 300, GIB, 800)
QUICK = Sizes(16 * MIB, 1, 64 * MIB, 30, 100, 1_000, 1, 60, 64 * MIB, 200)


async def _phase(name: str, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Run one phase; its crash becomes a failed check and the other phases still run."""
    logger.info("%s ...", name)
    start = time.perf_counter()
    try:
        outcome = await work()
    except Exception as exc:
        logger.exception("%s failed", name)
        return Outcome(checks=[Check(f"{name} ran", False, f"{type(exc).__name__}: {exc}")])
    logger.info("%s done in %.1f s", name, time.perf_counter() - start)
    return outcome


async def run_phases(stack: Stack, sizes: Sizes, only: str | None = None) -> Outcome:
    total = Outcome()
    phases: list[tuple[str, Callable[[], Awaitable[Outcome]]]] = [
        (
            "(a) throughput",
            lambda: measure_throughput(
                stack, size=sizes.throughput_bytes, runs=sizes.throughput_runs
            ),
        ),
        ("(b) peak memory", lambda: measure_peak_memory(stack, size=sizes.memory_bytes)),
        ("(c) latency", lambda: measure_latency(stack, count=sizes.small_requests)),
        (
            "(d) cleanup",
            lambda: measure_cleanup(
                stack, expired=sizes.expired, live=sizes.live, runs=sizes.cleanup_runs
            ),
        ),
        (
            "(e) direct transfers",
            lambda: measure_direct(stack, size=sizes.memory_bytes, runs=sizes.throughput_runs),
        ),
        ("(f) webhooks", lambda: measure_webhooks(stack, count=sizes.webhook_downloads)),
        (
            "(g) share zip",
            lambda: measure_share_zip(stack, size=sizes.share_bytes, runs=sizes.throughput_runs),
        ),
        (
            "(h) end-to-end encryption",
            lambda: measure_encryption(
                stack, size=int(os.environ.get("BENCH_E2E_BYTES", sizes.memory_bytes)), runs=1
            ),
        ),
        ("(i) small operations", lambda: measure_small(stack, count=sizes.small_operations)),
    ]
    for name, work in phases:
        if only and not name.startswith(only):
            continue
        total.extend(await _phase(name, work))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--only", help="run only the phases whose name starts with this, e.g. (g)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("azure").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sizes = QUICK if args.quick else FULL
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as workdir,
        running(Path(workdir), max_upload_bytes=2 * max(sizes.memory_bytes, GIB)) as stack,
    ):
        outcome = asyncio.run(run_phases(stack, sizes, args.only))
    elapsed = time.perf_counter() - start
    context = (
        f"{os.cpu_count()} CPUs; 1-minute load average {load_before:.1f} before the run,"
        f" {os.getloadavg()[0]:.1f} after it (other work on the machine skews every figure);"
        f" run took {elapsed:.0f} s"
    )
    report(outcome.figures, outcome.checks, [context])
    return 0 if all(check.ok for check in outcome.checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
