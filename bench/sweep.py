"""(d) The cleanup timer's cost with and without many live files beside the expired ones."""

from __future__ import annotations

import logging
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import timedelta

import httpx

from bench import api
from bench.outcome import Outcome, timed
from bench.report import Check, at_most, info
from bench.seed import SeededFile, Store, attach_blobs, open_store, seed, snapshot, spread
from bench.stack import Stack
from shared.clock import utcnow

logger = logging.getLogger(__name__)

_EXPIRED_BUCKETS = 20  # minutes, an hour and more in the past
_LIVE_BUCKETS = 200  # half an hour apart, starting ten minutes ahead


@dataclass(frozen=True)
class Sweep:
    seconds: float
    problems: list[str]


async def _seed_expired(store: Store, count: int) -> list[SeededFile]:
    now = utcnow()
    due = spread(
        count,
        first=now - timedelta(hours=1, minutes=_EXPIRED_BUCKETS),
        step=timedelta(minutes=1),
        buckets=_EXPIRED_BUCKETS,
    )
    return await seed(store, due, now=now)


async def _seed_live(store: Store, count: int, *, with_blobs: bool) -> list[SeededFile]:
    now = utcnow()
    due = spread(
        count,
        first=now + timedelta(minutes=10),
        step=timedelta(minutes=30),
        buckets=_LIVE_BUCKETS,
    )
    return await seed(store, due, now=now, with_blobs=with_blobs)


def _differences(
    what: str, removed: AbstractSet[object], expected: AbstractSet[object]
) -> list[str]:
    problems = []
    if missed := expected - removed:
        problems.append(f"{len(missed)} expired {what} left")
    if extra := removed - expected:
        problems.append(f"{len(extra)} other {what} removed")
    return problems


async def _sweep(
    store: Store,
    http: httpx.AsyncClient,
    expired: int,
    live: list[SeededFile],
    *,
    live_blobs: bool = True,
) -> Sweep:
    """Seed `expired` files, time one cleanup run, and check it removed those and only those."""
    doomed = await _seed_expired(store, expired)
    before = await snapshot(store)
    _, seconds = await timed(api.run_cleanup(http))
    after = await snapshot(store)
    problems = [
        *_differences("rows", before.rows - after.rows, {f.file_url for f in doomed}),
        *_differences("blobs", before.blobs - after.blobs, {f.blob for f in doomed}),
        *_differences("index entries", before.entries - after.entries, {f.entry for f in doomed}),
    ]
    if after.rows - before.rows or after.blobs - before.blobs or after.entries - before.entries:
        problems.append("cleanup created something")
    if lost := sum(1 for f in live if f.file_url not in after.rows or f.entry not in after.entries):
        problems.append(f"{lost} live records or index entries lost")
    if live_blobs and (lost := sum(1 for f in live if f.blob not in after.blobs)):
        problems.append(f"{lost} live blobs lost")
    logger.info("cleanup of %d expired beside %d live: %.2f s", expired, len(live), seconds)
    return Sweep(seconds, problems)


async def measure_cleanup(stack: Stack, *, expired: int, live: int, runs: int) -> Outcome:
    """Best of `runs` sweeps with nothing beside the expired files, then one beside `live` ones.

    Beside live files twice: first their rows and index entries alone (a diagnostic that leaves
    out the emulator's blob store), then with their blobs too, as the app would have stored them.
    A sweep beside them costs four times as much to set up, so it runs once; a single run can
    only make the ratio look worse than a best of several would.
    """
    async with open_store(stack.connection_string) as store, api.client(stack.base_url) as http:
        await api.run_cleanup(http)  # leftovers of earlier phases, if any, out of the way
        alone = [await _sweep(store, http, expired, []) for _ in range(runs)]
        beside, seed_rows = await timed(_seed_live(store, live, with_blobs=False))
        rows_only = await _sweep(store, http, expired, beside, live_blobs=False)
        _, seed_blobs = await timed(attach_blobs(store, beside))
        logger.info("seeded %d live files in %.1f s", live, seed_rows + seed_blobs)
        crowded = await _sweep(store, http, expired, beside)
    best_alone = min(s.seconds for s in alone)
    problems = [p for s in (*alone, rows_only, crowded) for p in s.problems]
    return Outcome(
        figures=[
            at_most(
                f"(d) cleanup {expired} expired, {live} live beside / none",
                crowded.seconds / best_alone,
                1.5,
                note=f"{crowded.seconds:.2f} s / {best_alone:.2f} s (best of {runs})",
            ),
            info(
                "(d) same, live files without blobs",
                f"{rows_only.seconds / best_alone:.2f}",
                f"diagnostic: {rows_only.seconds:.2f} s / {best_alone:.2f} s",
            ),
            info(
                f"(d) seeding {live} live files",
                f"{seed_rows + seed_blobs:.1f} s",
                f"rows + index entries {seed_rows:.1f} s, blobs {seed_blobs:.1f} s",
            ),
        ],
        checks=[
            Check(
                f"each cleanup run removed exactly its {expired} expired files"
                f" (row, blob, index entry) and kept every live one",
                not problems,
                "; ".join(problems),
            )
        ],
    )
