"""`python -m load [--clients N] [--operations N] [--seconds S]`: run the load, print the report.

Loopback only: it starts an in-memory Azurite and the local host on free ports (bench/'s stack),
with upload and auth rate limits raised for the run. Exits 1 on any error during the load or any
failed verification, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.procstat import reset_peak, status_bytes
from bench.stack import Stack, running
from load import partitions, workload
from load.verify import verify

MIB = 1024 * 1024
_SHOWN_ERRORS = 10

logger = logging.getLogger("load")


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    if len(seconds) == 1:
        return seconds[0] * 1000, seconds[0] * 1000
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def report(results: workload.Results, peak_memory: int, failures: list[str]) -> str:
    lines = [
        f"{results.operations} operations in {results.seconds:.1f} s:"
        f" {results.operations / results.seconds:.0f} ops/s",
        f"{'operation':<22}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    for operation, seconds in sorted(results.latencies.items()):
        p50, p99 = percentiles(seconds)
        lines.append(f"{operation:<22}{len(seconds):>7}{p50:>10.1f}{p99:>10.1f}")
    one_time = [stored for stored in results.files if stored.one_time]
    lines += [
        f"errors: {len(results.errors)}",
        *(f"  {error}" for error in results.errors[:_SHOWN_ERRORS]),
        f"host peak memory (VmHWM): {peak_memory / MIB:.0f} MiB",
        f"verified {len(results.files)} files ({len(one_time)} one-time links,"
        f" {sum(stored.raced for stored in one_time)} raced by two requests):"
        f" {len(failures)} failures",
        *(f"  {failure}" for failure in failures[:_SHOWN_ERRORS]),
    ]
    return "\n".join(lines)


async def _load(stack: Stack, plan: workload.Plan) -> tuple[workload.Results, int, list[str], str]:
    reset_peak(stack.devhost_pid)  # where allowed: the peak of the load, not of start-up
    async with workload.client(stack.base_url, 1) as http:
        await partitions.start(http)
        results = await workload.run(stack.base_url, plan)
        per_partition = await partitions.report(http, results.seconds)
    peak = status_bytes(stack.devhost_pid, "VmHWM")
    async with workload.client(stack.base_url, 16) as http:
        failures = await verify(http, results.files)
    return results, peak, failures, per_partition


def main(argv: list[str] | None = None) -> int:
    defaults = workload.Plan()
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--operations", type=int, default=defaults.max_operations)
    parser.add_argument("--seconds", type=float, default=defaults.max_seconds)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    plan = workload.Plan(
        clients=args.clients, max_operations=args.operations, max_seconds=args.seconds
    )
    # Volume is the point here, not abuse: the host inherits these (bench's stack raises the
    # upload limit too).
    for limit in ("UPLOAD_RATE_LIMIT_PER_MINUTE", "AUTH_RATE_LIMIT_PER_MINUTE"):
        os.environ[limit] = "1000000"
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="load-") as workdir,
        running(Path(workdir), max_upload_bytes=plan.max_size) as stack,
    ):
        logger.info(
            "%d clients, at most %d operations or %.0f s",
            plan.clients,
            plan.max_operations,
            plan.max_seconds,
        )
        results, peak, failures, per_partition = asyncio.run(_load(stack, plan))
    sys.stdout.write(report(results, peak, failures) + "\n" + per_partition + "\n")
    sys.stdout.write(
        f"{os.cpu_count()} CPUs; whole run {time.perf_counter() - started:.0f} s"
        " (start-up and verification included)\n"
    )
    return 1 if results.errors or failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
